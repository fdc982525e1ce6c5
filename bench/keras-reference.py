"""The bench's reference model in TensorFlow's Python Keras API, for comparison with the native backend.

MLP 784-400-20 encoder, 20-400-784 decoder, ReLU, Bernoulli on logits, batch 128, Adam(1e-3), on
binary inputs; a compiled training step (tf.function), one warm-up pass, then the median of 5
repeats of 40 steps. Prints one JSON line: {"ok", "rates", "versions"}.
Run by `npm run bench` when ELBO_BENCH_PYTHON (or .venv-keras/bin/python) has tensorflow.
"""
import json
import time

import numpy as np
import tensorflow as tf
import keras

STEPS, BATCH, REPEATS = 40, 128, 5
rng = np.random.default_rng(1)
data = (rng.random((BATCH * STEPS, 784)) < 0.13).astype("float32")
encoder = keras.Sequential([keras.Input((784,)), keras.layers.Dense(400, activation="relu"), keras.layers.Dense(40)])
decoder = keras.Sequential([keras.Input((20,)), keras.layers.Dense(400, activation="relu"), keras.layers.Dense(784)])
optimizer = keras.optimizers.Adam(1e-3)
params = encoder.trainable_variables + decoder.trainable_variables


@tf.function
def train_step(x):
    with tf.GradientTape() as tape:
        mean, log_var = tf.split(encoder(x), 2, axis=1)
        z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
        recon = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=decoder(z)), 1)
        kl = 0.5 * tf.reduce_sum(tf.square(mean) + tf.exp(log_var) - log_var - 1, 1)
        loss = tf.reduce_mean(recon + kl)
    optimizer.apply_gradients(zip(tape.gradient(loss, params), params))
    return loss


batches = [tf.constant(data[i * BATCH:(i + 1) * BATCH]) for i in range(STEPS)]
rates = []
for repeat in range(-1, REPEATS):
    start = time.perf_counter()
    for batch in batches:
        loss = train_step(batch)
    float(loss)  # wait for the last step
    if repeat >= 0:
        rates.append(BATCH * STEPS / (time.perf_counter() - start))
print(json.dumps({"ok": True, "rates": rates, "versions": f"TensorFlow {tf.__version__}, Keras {keras.__version__}"}))
