"""greengate and checkov side by side on the same generated Kubernetes corpus.

Used by ``bench_check.py --vs-checkov``. The corpus is what both tools read:
real-shaped vLLM Deployments (the shape of the GKE, EKS and AKS serving
samples in ``tests/data/corpus``: ``nvidia.com/gpu`` requests and limits, an
accelerator or instance-type node selector, a region node selector, CPU and
memory resources, readiness and liveness probes, a shared-memory volume),
one per file, 40 files per namespace folder.

checkov is never a greengate dependency: it is installed on demand in its own
virtualenv (default ``~/.cache/greengate-bench/checkov-venv``) with
``python -m venv`` and ``pip install checkov``, and run as its documentation
says, ``checkov -d DIR --framework kubernetes -o json --quiet``, with
``--skip-download`` (no call to Prisma Cloud for guidelines); greengate
with each CEL engine and each ``--jobs`` value of the matrix. Both tools
write their JSON report to a file (checkov to stdout, greengate with
``-o``), so each pays for the report it writes, and what each report says it
read is printed beside its time (checkov: two resources per Deployment, the
Deployment and its pod template; greengate: one deployment): a comparison
counts only if both read the whole corpus, and a tool that did not is named.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench_process import Run, measure

DEFAULT_VENV = Path.home() / ".cache" / "greengate-bench" / "checkov-venv"
FILES_PER_FOLDER = 40

# (node selector naming the hardware, its values, regions) per managed Kubernetes.
CLUSTERS = {
    "gke": (
        "cloud.google.com/gke-accelerator",
        ["nvidia-l4", "nvidia-tesla-a100", "nvidia-h100-80gb", "nvidia-tesla-t4"],
        ["us-central1", "europe-west4", "europe-north1", "asia-south1"],
    ),
    "eks": (
        "node.kubernetes.io/instance-type",
        ["g5.2xlarge", "g6.xlarge", "p4d.24xlarge", "g4dn.xlarge"],
        ["us-east-1", "eu-north-1", "eu-west-1", "ap-south-1"],
    ),
    "aks": (
        "node.kubernetes.io/instance-type",
        ["Standard_NC24ads_A100_v4", "Standard_NC6s_v3"],
        ["eastus", "swedencentral", "westeurope"],
    ),
}
MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "google/gemma-2-9b-it",
    "Qwen/Qwen2.5-7B-Instruct",
    "meta-llama/Llama-3.1-70B-Instruct",
]


def kubernetes_manifest(i: int, rng: random.Random) -> str:
    """One vLLM Deployment, varied in cluster, hardware, region, model, GPUs and replicas."""
    cluster = rng.choice(sorted(CLUSTERS))
    selector, hardware, regions = CLUSTERS[cluster]
    model = rng.choice(MODELS)
    gpus = rng.choice([1, 1, 2, 4])
    cpu, memory = 4 * gpus, 16 * gpus
    return (
        f"# generated vLLM deployment {i} ({cluster})\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        f"  name: vllm-{i}\n"
        f"  namespace: team-{i % 17}\n"
        "  labels:\n"
        f"    app: vllm-{i}\n"
        "    app.kubernetes.io/component: inference\n"
        "spec:\n"
        f"  replicas: {rng.randint(1, 4)}\n"
        "  selector:\n"
        "    matchLabels:\n"
        f"      app: vllm-{i}\n"
        "  template:\n"
        "    metadata:\n"
        "      labels:\n"
        f"        app: vllm-{i}\n"
        "    spec:\n"
        "      nodeSelector:\n"
        f"        {selector}: {rng.choice(hardware)}\n"
        f"        topology.kubernetes.io/region: {rng.choice(regions)}\n"
        "      containers:\n"
        "      - name: vllm\n"
        "        image: vllm/vllm-openai:v0.6.3\n"
        '        command: ["python3", "-m", "vllm.entrypoints.openai.api_server"]\n'
        "        args:\n"
        f"        - --model={model}\n"
        f"        - --tensor-parallel-size={gpus}\n"
        "        - --port=8000\n"
        "        ports:\n"
        "        - containerPort: 8000\n"
        "          name: http\n"
        "        env:\n"
        "        - name: HUGGING_FACE_HUB_TOKEN\n"
        "          valueFrom:\n"
        "            secretKeyRef:\n"
        "              name: hf-secret\n"
        "              key: token\n"
        "        resources:\n"
        "          requests:\n"
        f'            cpu: "{cpu}"\n'
        f"            memory: {memory}Gi\n"
        f'            nvidia.com/gpu: "{gpus}"\n'
        "          limits:\n"
        f'            cpu: "{cpu}"\n'
        f"            memory: {memory}Gi\n"
        f'            nvidia.com/gpu: "{gpus}"\n'
        "        readinessProbe:\n"
        "          httpGet:\n"
        "            path: /health\n"
        "            port: 8000\n"
        "          initialDelaySeconds: 60\n"
        "          periodSeconds: 10\n"
        "        livenessProbe:\n"
        "          httpGet:\n"
        "            path: /health\n"
        "            port: 8000\n"
        "          initialDelaySeconds: 120\n"
        "          periodSeconds: 30\n"
        "        volumeMounts:\n"
        "        - name: dshm\n"
        "          mountPath: /dev/shm\n"
        "      volumes:\n"
        "      - name: dshm\n"
        "        emptyDir:\n"
        "          medium: Memory\n"
        "          sizeLimit: 8Gi\n"
    )


def generate_kubernetes(folder: Path, count: int) -> list[Path]:
    rng = random.Random(count)
    paths = []
    for i in range(count):
        path = folder / f"namespace-{i // FILES_PER_FOLDER}" / f"vllm-{i}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(kubernetes_manifest(i, rng))
        paths.append(path)
    return paths


def checkov_command(venv: Path) -> Path:
    """The ``checkov`` of ``venv``, which is created and given checkov first if it has none."""
    checkov = venv / "bin" / "checkov"
    if not checkov.exists():
        print(f"installing checkov into {venv} (python -m venv, pip install checkov)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "checkov"], check=True
        )
    return checkov


def checkov_version(checkov: Path) -> str:
    done = subprocess.run([str(checkov), "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@dataclass(frozen=True)
class Side:
    """One tool's run on the corpus, what its report says it read, and how much it should have.

    checkov counts two resources per Deployment (the Deployment and the pod
    of its template); greengate one deployment.
    """

    run: Run
    read: int
    unit: str
    expected: int

    @property
    def whole(self) -> bool:
        return self.read == self.expected


def run_checkov(checkov: Path, folder: Path, report: Path, files: int) -> Side:
    command = [
        str(checkov),
        "-d",
        str(folder),
        "--framework",
        "kubernetes",
        "-o",
        "json",
        "--quiet",
    ]
    # No call to Prisma Cloud for guidelines: no network, and the time is checkov's own.
    run = measure([*command, "--skip-download"], stdout=report)
    if run.code not in (0, 1):
        raise SystemExit(f"checkov failed ({run.code}): {run.stderr[-2000:]}")
    found = json.loads(report.read_text(encoding="utf-8"))
    # One framework gives one report object; checkov gives a list when it ran several.
    reports = found if isinstance(found, list) else [found]
    return Side(run, sum(r["summary"]["resource_count"] for r in reports), "resources", 2 * files)


def run_greengate(folder: Path, report: Path, files: int, engine: str, jobs: list[str]) -> Side:
    """``greengate check`` with ``--cel-engine engine`` and ``jobs`` (``["--jobs", "2"]``, or none)."""
    command = [sys.executable, "-m", "greengate", "check", str(folder), "--cel-engine", engine]
    run = measure([*command, *jobs, "--format", "json", "--output", str(report)])
    if run.code not in (0, 1):
        raise SystemExit(f"greengate check failed ({run.code}): {run.stderr[-2000:]}")
    found = json.loads(report.read_text(encoding="utf-8"))
    return Side(run, found["summary"]["deployments"], "deployments", files)
