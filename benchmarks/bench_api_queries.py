"""The four GraphQL documents bench_api measures (the project's schema).

A module of its own, with no imports, so the API's equality tests can read the benchmark's
documents (tests/hub/api/compiled/corpus.py) without importing the benchmark.
"""

PERSON_QUERY = """query($pinfl: String!) { person(pinfl: $pinfl) {
  hubId pinfl fullName birthOn sex occupation
  household { hubId assessedCategory computedCategory monthlyIncome needs }
  mahalla { code name }
  taxRegistrations { edges { node { tin regime isOpen declaredIncome } } }
  employmentHistory { edges { node { recordNo status statusOn } } }
  landLeases { edges { node { leaseId status parcel { cadastre areaHa } } } }
  loans { edges { node { loanId programme amount issuedOn status } } }
  notebookEntries { edges { node { notebook source } } }
  appeals { edges { node { appealId topic status receivedAt } } }
  sourceRecords { edges { node { source recordKey lastSeenAt } } }
  conflicts { edges { node { attribute value survivingValue } } }
} }"""

DASHBOARD_QUERY = """query($code: String!) { mahalla(code: $code) {
  code name district { name region { name } } assistant { fullName phone }
  statistics {
    population households categoryMismatches
    householdsByAssessedCategory { category1 category2 category3 category4 unknown }
    employment { employed unemployed selfEmployed entrepreneurs publicWorks inTraining }
    land { activeLeases leasedAreaHa }
    loansByProgramme { programme count amount }
    notebookEntries { notebook persons }
    appeals { total open byTopic { topic appeals } }
  }
} }"""

PAGE_QUERY = """query($code: String!) { persons(filter: {mahallaCode: $code}, first: 100) {
  edges { node { hubId fullName birthOn sex
    household { hubId assessedCategory computedCategory } } }
} }"""

DISTRICT_QUERY = """query($code: String!) {
  mahallas(filter: {districtCode: $code}, first: 100) { edges { node {
    code name assistant { fullName }
    statistics { population households employment { employed unemployed }
      loansByProgramme { programme count amount } appeals { total open } }
  } } }
}"""

QUERIES = {
    "person": PERSON_QUERY,
    "dashboard": DASHBOARD_QUERY,
    "page100": PAGE_QUERY,
    "district": DISTRICT_QUERY,
}
