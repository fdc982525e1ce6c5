#!/usr/bin/env bash
# Creates (or brings up to date) the virtual environment of the bench's Python peers: Keras on
# TensorFlow, JAX with optax, and PyTorch, at the versions pinned in bench/peers/requirements*.txt,
# all from PyPI. `npm run bench` uses it when it exists (ELBO_BENCH_PYTHON still takes precedence).
#
#   bash bench/setup-peers.sh            # .venv-bench at the repository root
#   ELBO_BENCH_VENV=/elsewhere PYTHON=python3.12 bash bench/setup-peers.sh
#
# Idempotent: a stamp in the environment records the pins it was built from; when they have not
# changed the script only checks that every peer imports. About 6 GB on disk, 2.8 GB of it the
# CUDA libraries PyPI's only Linux x86-64 torch wheel links against (see requirements-torch.txt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
venv=${ELBO_BENCH_VENV:-$root/.venv-bench}
python=${PYTHON:-python3}
reqs=("$here/peers/requirements.txt" "$here/peers/requirements-torch.txt")

if [ ! -x "$venv/bin/python" ]; then
  echo "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi
py="$venv/bin/python"
stamp="$venv/.elbo-bench-peers"
want="$("$py" --version 2>&1) $(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check pip==26.3
  # TensorFlow (tensorflow-cpu: no CUDA packages), Keras 3, JAX on the CPU jaxlib, optax, and the
  # pure-Python packages torch needs, resolved together.
  "$py" -m pip install --quiet --disable-pip-version-check -r "$here/peers/requirements.txt"
  # torch without its dependency list, which would also pull triton, cuSOLVER and the rest of the
  # CUDA toolkit (3.0 GB of downloads in all): the CPU path needs only the libraries it links.
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps -r "$here/peers/requirements-torch.txt"
  echo "$want" >"$stamp"
fi

TF_CPP_MIN_LOG_LEVEL=2 "$py" - <<'EOF'
import importlib
for name in ("tensorflow", "keras", "jax", "optax", "torch"):
    m = importlib.import_module(name)
    print(f"{name} {m.__version__}")
EOF
echo "peers ready: $py"
