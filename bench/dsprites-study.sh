#!/usr/bin/env bash
# The disentanglement comparison of BENCHMARKS.md: a plain VAE, β-VAE (β=4), FactorVAE (γ=35) and
# β-TCVAE (β=6) on dSprites (generator) with the same conv encoder/decoder, budget and seed, then
# held-out negative ELBO, MIG and the FactorVAE score of each. The budget is what a 2-core machine
# allows: STEPS optimisation steps of batch 64 (default 1,000 = 64,000 images, under a tenth of one
# dSprites epoch), lr 5e-4. Usage: bash bench/dsprites-study.sh [steps] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000}
seed=${2:-1}
runs=${RUNS:-runs/dsprites-study}
common=(--set "runs=$runs" --set "seed=$seed" --set "train.stepsPerEpoch=$steps" --set optimizer.lr=0.0005
        --set eval.k=0 --set tracking.console=false)
metrics=(--set 'eval.metrics={mig: {numTrain: 10000}, factorvae: {numTrain: 2000, numEval: 1000, numVarianceEstimate: 10000}}')
printf '%-12s %12s %8s %10s %8s\n' model neg_elbo mig factorvae seconds
for cfg in dsprites-vae dsprites-beta-vae dsprites-factor-vae dsprites-beta-tcvae; do
  start=$(date +%s)
  dir=$(npx elbo train "examples/$cfg.yaml" "${common[@]}" "${metrics[@]}" 2>>"$runs.log" | tail -n 1)
  json=$(npx elbo eval "$dir" --k 0 --metrics mig,factorvae --json 2>>"$runs.log" | tail -n 1)
  printf '%-12s %12s %8s %10s %8s\n' "${cfg#dsprites-}" \
    "$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.negElbo.toFixed(2))' "$json")" \
    "$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.metrics["mig/mig"].toFixed(3))' "$json")" \
    "$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.metrics["factorvae/eval_accuracy"].toFixed(3))' "$json")" \
    "$(( $(date +%s) - start ))"
done
