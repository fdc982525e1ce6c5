"""What the bench's Python peers share: the models' sizes, the batches, the timing loop, one JSON line.

Each peer (keras_peer.py, jax_peer.py, torch_peer.py) trains the same models as bench/bench-models.ts
with the same batch, the same training rows and Adam(1e-3), and prints one JSON line:
{"ok": true, "rates": [samples/s per repeat], "versions": "...", "mode": "..."} or
{"ok": false, "reason": "..."}. The objective is ELBO's: the batch mean of the Bernoulli negative
log-likelihood (summed over pixels, on logits) plus the analytic KL to N(0, I), with one
reparameterised sample drawn in the step.
"""
import argparse
import json
import os
import sys
import time
import traceback

# bench/bench-models.ts: reference-mlp is 784-400-20 / 20-400-784 at batch 128; conv-vae-64 is four
# stride-2 4×4 'same' convolutions of 32 channels each way on 64×64×1, dense 256, latent 10, batch 64.
MODELS = {
    "reference-mlp": {"batch": 128, "dim": 784, "latent": 20, "hidden": 400},
    "conv-vae-64": {"batch": 64, "dim": 64 * 64, "image": (64, 64, 1), "latent": 10, "channels": 32, "dense": 256},
}
ADAM_LR = 1e-3
ADAM_EPSILON = 1e-8  # ELBO's default (Keras' own default is 1e-7)


def parse_args(extra=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, choices=sorted(MODELS))
    p.add_argument("--data", help="float32 rows (steps × batch × dim, little-endian) that ELBO trains on; random binary rows when absent")
    p.add_argument("--steps", type=int, default=40, help="steps per repeat")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=int(os.environ.get("ELBO_BENCH_THREADS", "2")))
    if extra:
        extra(p)
    return p.parse_args()


def batches(args):
    """The measured batches as numpy float32 arrays of [batch, dim]: ELBO's own rows when given."""
    import numpy as np

    spec = MODELS[args.model]
    n, dim = spec["batch"] * args.steps, spec["dim"]
    if args.data:
        rows = np.fromfile(args.data, dtype="<f4")
        if rows.size != n * dim:
            raise ValueError(f"{args.data}: {rows.size} values, expected {args.steps} steps × {spec['batch']} × {dim}")
        rows = rows.reshape(n, dim)
    else:
        rows = (np.random.default_rng(1).random((n, dim)) < 0.13).astype("float32")
    return [np.ascontiguousarray(rows[i * spec["batch"] : (i + 1) * spec["batch"]]) for i in range(args.steps)]


def measure(step, data, repeats, sync):
    """One warm-up pass over the batches, then `repeats` timed passes; samples/s of each."""
    rates = []
    batch = data[0].shape[0]
    for repeat in range(-1, repeats):
        start = time.perf_counter()
        for x in data:
            loss = step(x)
        sync(loss)  # wait for the last step
        if repeat >= 0:
            rates.append(batch * len(data) / (time.perf_counter() - start))
    return rates


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def run(main):
    """Runs a peer's main; any failure becomes {"ok": false, "reason"} with the error's last line."""
    try:
        main()
    except BaseException as e:  # noqa: BLE001 — the bench reports every failure as a line
        traceback.print_exc()
        emit({"ok": False, "reason": f"{type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}"})
