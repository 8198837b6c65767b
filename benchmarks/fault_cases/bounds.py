"""Bounded time and memory (issue 14, items 8-12): hostile deliveries at their real sizes.

Each case builds its delivery under its work folder (files written in pieces, so building
costs no memory), runs the pipeline's own steps (`pipelines.steps` land, stage, load) on a
SQLite graph there, and reports the delivery by its physical units. The API cases serve
their hostile agency from a thread on 127.0.0.1 only (a real socket, so compression and
dripping are real) and stop by themselves: every loop in them ends, because the hub stops
it. `FAULT_CASES_SCALE` (default 1) multiplies the sizes: 200 MB lines and attributes, a
gzip body expanding to 1 GiB.
"""

from __future__ import annotations

import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson
from sqlalchemy import func, select

from connectors.employment import HEADER as EMPLOYMENT_HEADER
from connectors.errors import ConnectorError
from hub.graph.models import Delivery, Household, Reject
from pipelines.resources import BankAgency, HubDatabase, TaxAgency
from pipelines.steps.land import land_bank, land_tax

from . import FaultCase, FaultOutcome
from .small_hub import registered_hub, run_files

MAHALLA = "1703202015"
MB = 1 << 20
PINFL = "31503851234566"


def _scaled(size: int) -> int:
    return max(1, round(size * float(os.environ.get("FAULT_CASES_SCALE", "1"))))


def _file_outcome(hub: HubDatabase, name: str, physical: int) -> FaultOutcome:
    """The delivery's counts, and how much of its longest raw text the quarantine kept."""
    with hub.session() as session:
        d = session.scalars(select(Delivery).where(Delivery.name == name)).one()
        kept = session.scalar(select(func.max(func.length(Reject.raw)))) or 0
        reasons = session.scalars(select(Reject.reasons).where(Reject.delivery_id == d.id)).all()
        counts, message = (d.accepted, d.rejected, d.status), d.message
    first = reasons[0][0] if reasons else f"no reject; {message or 'no warning'}"
    note = f"{counts[2]}; quarantine keeps <= {kept:,} chars; {first[:90]}"
    return FaultOutcome(physical, counts[0], counts[1], note)


def _write_with_filler(path: Path, head: bytes, filler: bytes, size: int, tail: bytes) -> None:
    """`head`, `size` bytes of `filler` repeated, then `tail`, written in 1 MiB pieces."""
    piece = filler * (MB // len(filler))
    with path.open("wb") as out:
        out.write(head)
        left = size
        while left > 0:
            out.write(piece[: min(left, len(piece))])
            left -= len(piece)
        out.write(tail)


def _lease(n: int, crop: str = "tomato") -> bytes:
    return (
        f'  <Lease id="LS-{n:07d}" contract="{n}/2022" status="active">'
        f'<Parcel cadastre="17:03:02:01:02:{n:04d}" mahalla="{MAHALLA}" areaHa="0,12" '
        f'purpose="household_plot" crop="{crop}"/>'
        f'<Lessee kind="person" pinfl="{PINFL}" tin="" name="Abdullayev A. B."/>'
        '<Term start="2022-03-01" end="2027-02-28"/></Lease>\n'
    ).encode()


def land_attribute(workdir: Path) -> FaultOutcome:
    hub, folder = registered_hub(workdir), workdir / "land"
    folder.mkdir()
    name = "leases_2022-12-01.xml"
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<LeaseExport generated="2022-12-01">\n'
    head += _lease(1) + _lease(2).split(b'crop="')[0] + b'crop="'
    tail = _lease(2).split(b'crop="tomato')[1] + _lease(3) + b"</LeaseExport>\n"
    _write_with_filler(folder / name, head, b"pomidor ", _scaled(200 * MB), tail)
    run_files(hub, "land", folder)
    return _file_outcome(hub, name, 3)


def land_comment(workdir: Path) -> FaultOutcome:
    hub, folder = registered_hub(workdir), workdir / "land"
    folder.mkdir()
    name = "leases_2022-12-01.xml"
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<LeaseExport generated="2022-12-01">\n'
    head += _lease(1) + _lease(2).split(b"<Term")[0] + b"<!--"
    tail = b"--><Term" + _lease(2).split(b"<Term")[1] + _lease(3) + b"</LeaseExport>\n"
    _write_with_filler(folder / name, head, b"izoh ", _scaled(200 * MB), tail)
    run_files(hub, "land", folder)
    return _file_outcome(hub, name, 3)


def _household(n: int, street: str = "Navoiy ko'chasi") -> bytes:
    member = {"member_no": 1, "full_name": "Abdullayev Akmal", "pinfl": PINFL,
              "birth_date": "1985-03-15", "sex": "M", "relation": "head",
              "occupation": "unemployed", "notebook": None}  # fmt: skip
    household = {"survey_id": f"SV-{MAHALLA}-{n:05d}", "mahalla_code": MAHALLA,
                 "assistant_id": "A-00042", "surveyed_on": "2022-01-14",
                 "address": {"street": street, "house": "12", "apartment": None},
                 "category": 3, "monthly_income_uzs": 2400000, "plot_sotix": 4.5,
                 "needs": ["job"], "members": [member]}  # fmt: skip
    return orjson.dumps(household) + b"\n"


def survey_line(workdir: Path) -> FaultOutcome:
    hub, folder = registered_hub(workdir), workdir / "survey"
    folder.mkdir()
    name = "survey_2022-01.jsonl"
    long_line = _household(2, "@").split(b'"@"')
    head = _household(1) + long_line[0] + b'"'
    tail = b'"' + long_line[1] + _household(3)
    _write_with_filler(folder / name, head, b"Navoiy ko'chasi ", _scaled(200 * MB), tail)
    run_files(hub, "survey", folder)
    # Counted by households (lines): a member travels inside its household's line.
    outcome = _file_outcome(hub, name, 3)
    with hub.session() as session:
        households = session.scalar(select(func.count()).select_from(Household)) or 0
    return FaultOutcome(3, households, outcome.delivered - households, outcome.note)


def employment_line(workdir: Path) -> FaultOutcome:
    hub, folder = registered_hub(workdir), workdir / "employment"
    folder.mkdir()
    name = "employment_2022-02.csv"

    def row(n: int, referral: str = "") -> bytes:
        values = [f"E2022-{n:07d}", PINFL, "Абдуллаев Акмал Бахтиёр угли", "15.03.1985", "М",
                  MAHALLA, "безработный", "01.02.2022", "", referral]  # fmt: skip
        return (";".join(values) + "\r\n").encode("cp1251")

    head = (";".join(EMPLOYMENT_HEADER) + "\r\n").encode("cp1251") + row(1) + row(2)[:-2]
    _write_with_filler(folder / name, head, "Направление ".encode("cp1251"),
                       _scaled(200 * MB), b"\r\n" + row(3))  # fmt: skip
    run_files(hub, "employment", folder)
    return _file_outcome(hub, name, 3)


# --- hostile APIs on 127.0.0.1 ------------------------------------------------------------

Answer = tuple[int, dict[str, str], Iterator[bytes]]
"""Status, headers and the body in pieces (sent as they come, so a piece may wait)."""


@contextmanager
def serve_agency(answer: Callable[[str, dict[str, str]], Answer]) -> Iterator[str]:
    """Serve `answer(path, query)` on a free port of 127.0.0.1 until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            status, headers, body = answer(parts.path, query)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                for piece in body:
                    self.wfile.write(piece)
                    self.wfile.flush()
            except OSError:
                return  # the hub hung up: it gave up on this answer

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def json_answer(payload: object) -> Answer:
    body = orjson.dumps(payload)
    return 200, {"Content-Type": "application/json", "Content-Length": str(len(body))}, iter([body])


def tax_item(n: int) -> dict[str, object]:
    return {"tin": f"4{n:08d}", "pinfl": PINFL, "full_name": "ABDULLAYEV AKMAL",
            "birth_date": "1985-03-15", "regime": "self_employed", "activity_code": "47190",
            "registered_on": "2022-05-01", "closed_on": None, "declared_income_uzs": "1.00",
            "tax_year": 2022, "mahalla_code": MAHALLA, "address": "Navoiy 12",
            "updated_at": "2022-12-01T10:00:00+05:00"}  # fmt: skip


def _loan_item(n: int) -> dict[str, object]:
    return {"loan_id": f"00873-2022-{n:06d}", "bank_mfo": "00873", "kind": "loan",
            "program": "microloan", "borrower": {"pinfl": PINFL, "name": "ABDULLAEV A.B.",
            "birth_date": "15.03.1985", "passport": None}, "amount_tiyin": 100,
            "issued_on": "2022-04-11", "term_months": 12, "status": "active",
            "purpose": None, "mahalla_code": MAHALLA}  # fmt: skip


def _api_outcome(hub: HubDatabase, source: str, run: Callable[[], object]) -> FaultOutcome:
    """Run one walk; the hub must stop it with a clear error, the delivery then failed."""
    started = time.monotonic()
    try:
        run()
        problem = "the walk ended without an error"
    except ConnectorError as exc:
        problem = f"{type(exc).__name__} after {time.monotonic() - started:.1f} s: {exc}"
    with hub.session() as session:
        d = session.scalars(select(Delivery).where(Delivery.source == source)).one()
        counts = (d.delivered, d.accepted, d.rejected, d.status)
    # A refused walk loads nothing and keeps the cursor: its items are read again next run.
    return FaultOutcome(counts[0], counts[1], counts[2], f"{counts[3]}; {problem[:160]}")


def _tax(workdir: Path, answer: Callable[[str, dict[str, str]], Answer]) -> FaultOutcome:
    hub = registered_hub(workdir)
    with serve_agency(answer) as url:
        agency = TaxAgency(base_url=url, token="t", max_attempts=2, base_delay_seconds=0.1)
        return _api_outcome(hub, "tax", lambda: land_tax(hub, agency, None))


def tax_gzip_bomb(workdir: Path) -> FaultOutcome:
    size = _scaled(1 << 30)
    compressor, spaces = zlib.compressobj(9, zlib.DEFLATED, 31), b" " * MB
    pieces = [compressor.compress(b'{"items": [')]
    pieces += [compressor.compress(spaces[: min(MB, size - at)]) for at in range(0, size, MB)]
    bomb = b"".join([*pieces, compressor.compress(b'], "next_page_token": null}'),
                     compressor.flush()])  # fmt: skip
    headers = {"Content-Encoding": "gzip", "Content-Length": str(len(bomb))}
    return _tax(workdir, lambda path, query: (200, headers, iter([bomb])))


def tax_endless_tokens(workdir: Path) -> FaultOutcome:
    items = [tax_item(n) for n in range(1000)]
    tokens = iter(range(10**9))
    return _tax(
        workdir, lambda p, q: json_answer({"items": items, "next_page_token": f"t{next(tokens)}"})
    )


def tax_endless_new_items(workdir: Path) -> FaultOutcome:
    os.environ["HUB_API_MAX_PAGES"] = str(_scaled(2000))

    def answer(path: str, query: dict[str, str]) -> Answer:
        page = int(query.get("page_token", "0"))
        items = [tax_item(page * 100 + n) for n in range(100)]
        return json_answer({"items": items, "next_page_token": str(page + 1)})

    return _tax(workdir, answer)


def tax_drip(workdir: Path) -> FaultOutcome:
    os.environ["HUB_API_REQUEST_SECONDS"] = "10"
    body = orjson.dumps({"items": [tax_item(1)], "next_page_token": None})

    def drip() -> Iterator[bytes]:
        for at in range(len(body)):
            time.sleep(3)
            yield body[at : at + 1]

    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    return _tax(workdir, lambda path, query: (200, headers, drip()))


def tax_retry_after_a_day(workdir: Path) -> FaultOutcome:
    headers = {"Retry-After": "86400", "Content-Length": "0"}
    return _tax(workdir, lambda path, query: (429, headers, iter([b""])))


def bank_total_1e9(workdir: Path) -> FaultOutcome:
    hub = registered_hub(workdir)

    def answer(path: str, query: dict[str, str]) -> Answer:
        offset, limit = int(query["offset"]), int(query["limit"])
        data = [_loan_item(offset + n) for n in range(limit)]
        return json_answer({"total": 10**9, "offset": offset, "limit": limit, "data": data})

    with serve_agency(answer) as url:
        agency = BankAgency(base_url=url, api_key="k", max_attempts=2, base_delay_seconds=0.1)
        return _api_outcome(hub, "bank", lambda: land_bank(hub, agency, None))


CASES: list[FaultCase] = [
    FaultCase("land_attribute_200mb", 8, "land", land_attribute),
    FaultCase("land_comment_200mb", 8, "land", land_comment),
    FaultCase("survey_line_200mb", 9, "survey", survey_line),
    FaultCase("employment_line_200mb", 9, "employment", employment_line),
    FaultCase("tax_gzip_bomb_1gib", 10, "tax", tax_gzip_bomb),
    FaultCase("tax_endless_tokens_same_items", 11, "tax", tax_endless_tokens),
    FaultCase("tax_endless_new_items", 11, "tax", tax_endless_new_items),
    FaultCase("bank_total_1e9", 11, "bank", bank_total_1e9),
    FaultCase("tax_drip_1_byte_per_3s", 12, "tax", tax_drip),
    FaultCase("tax_retry_after_a_day", 12, "tax", tax_retry_after_a_day),
]
