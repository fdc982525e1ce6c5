"""The bench's models in JAX: the loss, its gradient and optax's Adam in one `jax.jit`-compiled step
(XLA), parameters and optimiser state donated to it. See common.py for what is measured and printed.

XLA's CPU client sizes its thread pool from the CPUs the process may run on, so the process is
pinned to --threads CPUs (2 by default) before JAX starts.
"""
import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")

from common import ADAM_EPSILON, ADAM_LR, MODELS, batches, emit, measure, parse_args, run  # noqa: E402


def init_params(model, rng):
    """Glorot-uniform weights and zero biases, as Keras' defaults."""
    import numpy as np

    def dense(i, o):
        lim = np.sqrt(6 / (i + o))
        return {"w": rng.uniform(-lim, lim, (i, o)).astype("float32"), "b": np.zeros(o, "float32")}

    def conv(i, o):  # HWIO; fan-in and fan-out count the 4×4 window
        lim = np.sqrt(6 / (16 * i + 16 * o))
        return {"w": rng.uniform(-lim, lim, (4, 4, i, o)).astype("float32"), "b": np.zeros(o, "float32")}

    spec = MODELS[model]
    if model == "reference-mlp":
        h, d, k = spec["hidden"], spec["dim"], spec["latent"]
        return {"enc": [dense(d, h), dense(h, 2 * k)], "dec": [dense(k, h), dense(h, d)]}
    c, k, dn, ch = spec["channels"], spec["latent"], spec["dense"], spec["image"][2]
    return {
        "enc_conv": [conv(ch, c), conv(c, c), conv(c, c), conv(c, c)],
        "enc": [dense(4 * 4 * c, dn), dense(dn, 2 * k)],
        "dec": [dense(k, dn), dense(dn, 4 * 4 * c)],
        # transposed convolutions, HWIO with I the input channels
        "dec_conv": [conv(c, c), conv(c, c), conv(c, c), conv(c, ch)],
    }


def networks(model, jax):
    lax = jax.lax
    dims = ("NHWC", "HWIO", "NHWC")
    dense = lambda p, x: x @ p["w"] + p["b"]  # noqa: E731
    spec = MODELS[model]

    if model == "reference-mlp":

        def encode(p, x):
            return dense(p["enc"][1], jax.nn.relu(dense(p["enc"][0], x)))

        def decode(p, z):
            return dense(p["dec"][1], jax.nn.relu(dense(p["dec"][0], z)))

        return encode, decode

    image, c = spec["image"], spec["channels"]

    def encode(p, x):
        h = x.reshape((x.shape[0], *image))
        for layer in p["enc_conv"]:
            h = jax.nn.relu(lax.conv_general_dilated(h, layer["w"], (2, 2), "SAME", dimension_numbers=dims) + layer["b"])
        h = jax.nn.relu(dense(p["enc"][0], h.reshape((x.shape[0], -1))))
        return dense(p["enc"][1], h)

    def decode(p, z):
        h = jax.nn.relu(dense(p["dec"][1], jax.nn.relu(dense(p["dec"][0], z))))
        h = h.reshape((z.shape[0], 4, 4, c))
        last = len(p["dec_conv"]) - 1
        for i, layer in enumerate(p["dec_conv"]):
            h = lax.conv_transpose(h, layer["w"], (2, 2), "SAME", dimension_numbers=dims) + layer["b"]
            h = h if i == last else jax.nn.relu(h)
        return h.reshape((z.shape[0], -1))

    return encode, decode


def main():
    args = parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > args.threads:
        os.sched_setaffinity(0, cpus[: args.threads])
    import jax
    import jax.numpy as jnp
    import jaxlib
    import numpy as np
    import optax

    encode, decode = networks(args.model, jax)
    optimizer = optax.adam(ADAM_LR, eps=ADAM_EPSILON)

    def loss_fn(params, x, key):
        mean, log_var = jnp.split(encode(params, x), 2, axis=1)
        z = mean + jnp.exp(0.5 * log_var) * jax.random.normal(key, mean.shape)
        recon = optax.sigmoid_binary_cross_entropy(decode(params, z), x).sum(1)
        kl = 0.5 * (jnp.square(mean) + jnp.exp(log_var) - log_var - 1).sum(1)
        return jnp.mean(recon + kl)

    def train_step(params, state, x, key):
        key, sub = jax.random.split(key)
        loss, grads = jax.value_and_grad(loss_fn)(params, x, sub)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, key, loss

    step_fn = jax.jit(train_step, donate_argnums=(0, 1, 3))
    carry = {}
    params = jax.tree.map(jnp.asarray, init_params(args.model, np.random.default_rng(1)))
    carry.update(params=params, state=optimizer.init(params), key=jax.random.key(1))

    def step(x):
        carry["params"], carry["state"], carry["key"], loss = step_fn(carry["params"], carry["state"], x, carry["key"])
        return loss

    data = [jax.device_put(b) for b in batches(args)]
    rates = measure(step, data, args.repeats, lambda loss: float(loss.block_until_ready()))
    emit({"ok": True, "rates": rates, "mode": "jax.jit, optax.adam", "threads": len(os.sched_getaffinity(0)), "versions": f"JAX {jax.__version__}, jaxlib {jaxlib.__version__}, optax {optax.__version__}"})


if __name__ == "__main__":
    run(main)
