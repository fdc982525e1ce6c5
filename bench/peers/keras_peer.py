"""The bench's models in Keras 3 on TensorFlow: a training step compiled by `tf.function` (Grappler),
or with `--xla` by `tf.function(jit_compile=True)`. See common.py for what is measured and printed.

TensorFlow's intra-op and inter-op thread pools are set to --threads (2 by default) before any op.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from common import ADAM_EPSILON, ADAM_LR, MODELS, batches, emit, measure, parse_args, run  # noqa: E402


def build(model, keras):
    spec = MODELS[model]
    L = keras.layers
    if model == "reference-mlp":
        h, d, k = spec["hidden"], spec["dim"], spec["latent"]
        encoder = keras.Sequential([keras.Input((d,)), L.Dense(h, activation="relu"), L.Dense(2 * k)])
        decoder = keras.Sequential([keras.Input((k,)), L.Dense(h, activation="relu"), L.Dense(d)])
        return encoder, decoder
    c, k, image = spec["channels"], spec["latent"], spec["image"]
    conv = lambda: L.Conv2D(c, 4, strides=2, padding="same", activation="relu")  # noqa: E731
    encoder = keras.Sequential([keras.Input((spec["dim"],)), L.Reshape(image), conv(), conv(), conv(), conv(), L.Flatten(), L.Dense(spec["dense"], activation="relu"), L.Dense(2 * k)])
    deconv = lambda ch, act: L.Conv2DTranspose(ch, 4, strides=2, padding="same", activation=act)  # noqa: E731
    decoder = keras.Sequential(
        [
            keras.Input((k,)),
            L.Dense(spec["dense"], activation="relu"),
            L.Dense(4 * 4 * c, activation="relu"),
            L.Reshape((4, 4, c)),
            deconv(c, "relu"),
            deconv(c, "relu"),
            deconv(c, "relu"),
            deconv(image[2], None),
            L.Flatten(),
        ]
    )
    return encoder, decoder


def main():
    def extra(p):
        p.add_argument("--xla", action="store_true", help="tf.function(jit_compile=True)")
        p.add_argument("--profile", type=int, default=0, metavar="STEPS", help="then time STEPS more steps by op type (op_profile.py; to stderr)")

    args = parse_args(extra)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    encoder, decoder = build(args.model, keras)
    optimizer = keras.optimizers.Adam(ADAM_LR, epsilon=ADAM_EPSILON)
    params = encoder.trainable_variables + decoder.trainable_variables

    @tf.function(jit_compile=args.xla)
    def train_step(x):
        with tf.GradientTape() as tape:
            mean, log_var = tf.split(encoder(x), 2, axis=1)
            z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            recon = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=decoder(z)), 1)
            kl = 0.5 * tf.reduce_sum(tf.square(mean) + tf.exp(log_var) - log_var - 1, 1)
            loss = tf.reduce_mean(recon + kl)
        optimizer.apply_gradients(zip(tape.gradient(loss, params), params))
        return loss

    data = [tf.constant(b) for b in batches(args)]
    rates = measure(train_step, data, args.repeats, lambda loss: float(loss))
    if args.profile:
        from op_profile import keras as profile

        profile(train_step, data, args.profile)
    mode = "tf.function(jit_compile=True), XLA" if args.xla else "tf.function"
    emit({"ok": True, "rates": rates, "mode": mode, "threads": args.threads, "versions": f"TensorFlow {tf.__version__}, Keras {keras.__version__}"})


if __name__ == "__main__":
    run(main)
