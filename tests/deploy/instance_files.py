"""deploy/dagster.yaml as the tests read it, and its run launcher as Dagster builds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from dagster._serdes import ConfigurableClassData
from dagster_k8s import K8sRunLauncher

INSTANCE_FILE = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"

# A cluster that is never contacted: building the launcher only reads this file.
KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster: {server: "https://127.0.0.1:6443"}
users:
  - name: test
    user: {token: not-a-real-token}
contexts:
  - name: test
    context: {cluster: test, user: test, namespace: mahalla-hub}
current-context: test
"""


def instance_config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(INSTANCE_FILE.read_text(encoding="utf-8"))
    return loaded


def built_launcher(folder: Path) -> K8sRunLauncher:
    """The K8sRunLauncher Dagster rehydrates from the file; only where it finds the cluster
    differs (a kubeconfig written into `folder`, not the pod's service account)."""
    kubeconfig = folder / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG, encoding="utf-8")
    launcher = instance_config()["run_launcher"]
    config = {**launcher["config"], "load_incluster_config": False}
    config["kubeconfig_file"] = str(kubeconfig)
    return ConfigurableClassData(
        launcher["module"], launcher["class"], yaml.safe_dump(config)
    ).rehydrate(as_type=K8sRunLauncher)
