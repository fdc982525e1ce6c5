// Loaded with `node --import` into each trial an `elbo worker` starts: the trial runs in a process
// group of its own (so that it can be stopped on its own), and so outlives a worker killed with
// SIGKILL. Once its worker is gone (the process is re-parented), it ends too, as it would with its
// host — the job is then taken by another worker, which resumes the trial from its last checkpoint,
// and no two processes ever train the same run folder.
/* global setInterval */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 250).unref();
