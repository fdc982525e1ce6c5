"""Where a compiled training step's time goes, by TensorFlow op type, for ELBO's step function and
for the Keras peer's `tf.function` step, on the same TensorFlow.

ELBO's step function, from the graphs TensorFlow dumps while it instantiates the function:

    TF_DUMP_GRAPH_PREFIX=/tmp/dump TF_DUMP_GRAPH_NAME_FILTER='*' TF_DUMP_GRAPH_GROUPS=main \\
      npx elbo train <config> --set train.stepsPerEpoch=20 --set train.epochs=1 --set eval.k=0
    .venv-bench/bin/python bench/peers/op_profile.py elbo /tmp/dump

counts the ops of the step function before and after Grappler (`*_body.*before_graph_optimization`,
`after_graph_optimization`) and after the oneDNN rewrite (`*_partition_*after_partition_passes`),
then runs the function body in a TensorFlow session (its arguments fed as placeholders with small
deterministic values) and sums the traced run time of each op type. The Keras peer:

    cd bench/peers && ../../.venv-bench/bin/python keras_peer.py --model conv-vae-64 --profile 10

does the same from TensorFlow's profiler over 10 steps of its `tf.function` (printed to stderr).
"""
import collections
import glob
import os
import re
import sys
import time

THREADS = int(os.environ.get("ELBO_BENCH_THREADS", "2"))
SKIP = {"_Arg", "_Retval", "NoOp", "Identity", "Const", "Placeholder"}
# The profiler's spans of the runtime itself (the executor's process and run), not ops.
RUNTIME = {"Process", "Run"}


def op_counts(path):
    """(all nodes, compute nodes, the most common op types) of a dumped GraphDef text file."""
    ops = collections.Counter(re.findall(r'^\s*op: "([^"]+)"', open(path).read(), re.M))
    return sum(ops.values()), sum(v for k, v in ops.items() if k not in SKIP), ops


def print_table(label, per_op, count, steps):
    total = sum(per_op.values()) / steps / 1000
    print(f"{label}: op time summed over the ops of one step {total:.2f} ms (an op's own time; ops on the two threads overlap)")
    for op, us in per_op.most_common(14):
        print(f"  {us / steps / 1000:7.2f} ms  {count[op] // steps:4d} × {op}")


def elbo(dump_dir, runs=10):
    import numpy as np
    import tensorflow as tf
    from google.protobuf import text_format
    from tensorflow.core.framework import graph_pb2

    bodies = sorted(glob.glob(os.path.join(dump_dir, "elbo_step_*_body.*before_graph_optimization.pbtxt")))
    if not bodies:
        sys.exit(f"{dump_dir}: no elbo_step_*_body.*before_graph_optimization.pbtxt (was TF_DUMP_GRAPH_PREFIX set while training?)")
    before = max(bodies, key=os.path.getsize)  # the training step (evaluation's functions are smaller)
    stem = os.path.basename(before).split(".")[0]
    stages = [("before Grappler", before)]
    stages += [("after Grappler", p) for p in glob.glob(os.path.join(dump_dir, f"{stem}.*after_graph_optimization.pbtxt"))]
    stages += [("after oneDNN rewrite", p) for p in glob.glob(os.path.join(dump_dir, f"{stem}_partition_*after_partition_passes.pbtxt"))]
    print(f"{stem}:")
    for label, path in stages:
        total, compute, ops = op_counts(path)
        print(f"  {label}: {compute} ops ({total} nodes with arguments, results and constants); {dict(ops.most_common(8))}")

    gd = graph_pb2.GraphDef()
    text_format.Parse(open(before).read(), gd)
    feeds, results = {}, []
    for n in gd.node:
        n.device = ""
        if n.op == "_Arg":
            shape = n.attr["_output_shapes"].list.shape[0]
            n.op = "Placeholder"
            n.attr["dtype"].type = n.attr["T"].type
            n.attr["shape"].shape.CopyFrom(shape)
            del n.attr["T"], n.attr["index"]
            feeds[n.name] = [d.size for d in shape.dim]
        elif n.op == "_Retval":
            n.op = "Identity"
            del n.attr["index"]
            results.append(n.name)
        for k in [k for k in n.attr if k.startswith("_") and k != "_output_shapes"]:
            del n.attr[k]
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(gd, name="")
    rng = np.random.default_rng(0)
    fd = {}
    for name, shape in feeds.items():
        t = graph.get_tensor_by_name(name + ":0")
        fd[t] = (0.01 * rng.standard_normal(shape)).astype(np.float32) if t.dtype == tf.float32 else np.zeros(shape, t.dtype.as_numpy_dtype)
    outs = [graph.get_tensor_by_name(r + ":0") for r in results]
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=THREADS, inter_op_parallelism_threads=THREADS)
    with tf.compat.v1.Session(graph=graph, config=config) as s:
        for _ in range(5):
            s.run(outs, fd)
        start = time.perf_counter()
        for _ in range(runs):
            s.run(outs, fd)
        print(f"one run of the body in a session: {(time.perf_counter() - start) / runs * 1000:.2f} ms")
        per_op, count = collections.Counter(), collections.Counter()
        trace = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        for _ in range(runs):
            md = tf.compat.v1.RunMetadata()
            s.run(outs, fd, options=trace, run_metadata=md)
            for dev in md.step_stats.dev_stats:
                for ns in dev.node_stats:
                    op = ns.timeline_label.split("=")[-1].split("(")[0].strip() if "=" in ns.timeline_label else ns.node_name
                    if op not in SKIP and not op.startswith("_SOURCE"):
                        per_op[op] += ns.op_end_rel_micros - ns.op_start_rel_micros
                        count[op] += 1
    print_table("ELBO's step function", per_op, count, runs)


def keras(step, batches, steps):
    """Per op type of `steps` calls of a Keras peer's compiled step, from TensorFlow's profiler."""
    import tempfile
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    logdir = tempfile.mkdtemp(prefix="elbo-op-profile-")
    tf.profiler.experimental.start(logdir)
    for i in range(steps):
        float(step(batches[i % len(batches)]))
    tf.profiler.experimental.stop()
    space = xplane_pb2.XSpace()
    space.ParseFromString(open(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)[0], "rb").read())
    per_op, count = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            for ev in line.events:
                name = plane.event_metadata[ev.metadata_id].name
                # Op events are "name:Type"; the function call itself and the executor's own spans are left out.
                if ":" in name and not name.startswith("__"):
                    op = name.split(":")[-1].strip()
                    if op not in SKIP and op not in RUNTIME and not op.startswith("__"):
                        per_op[op] += ev.duration_ps / 1e6
                        count[op] += 1
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        print_table("Keras's tf.function step", per_op, count, steps)
    finally:
        sys.stdout = saved


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "elbo":
        sys.exit(__doc__)
    elbo(sys.argv[2])
