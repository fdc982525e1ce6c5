"""The bench's models in PyTorch: eager, or with `--compile` the model under `torch.compile` (TorchInductor's
C++ code on the CPU; the backward pass through AOTAutograd) and Adam's step compiled too. See common.py
for what is measured and printed.

`torch.set_num_threads` and `torch.set_num_interop_threads` are set to --threads (2 by default), and
OpenMP's threads sleep when idle (OMP_WAIT_POLICY=PASSIVE unless set): with libgomp's default spinning,
two threads on a 2-core machine with any other load ran a 128×784×400 matmul 18× slower than one thread.
The convolutions run in PyTorch's own NCHW layout; 'same' padding for 4×4, stride 2 is padding 1.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from common import ADAM_EPSILON, ADAM_LR, MODELS, batches, emit, measure, parse_args, run  # noqa: E402


def build(model, torch):
    nn = torch.nn
    spec = MODELS[model]

    class Vae(nn.Module):
        def __init__(self, encoder, decoder):
            super().__init__()
            self.encoder, self.decoder = encoder, decoder

        def forward(self, x):
            mean, log_var = self.encoder(x).chunk(2, dim=1)
            z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
            recon = nn.functional.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="none").sum(1)
            kl = 0.5 * (mean.square() + log_var.exp() - log_var - 1).sum(1)
            return (recon + kl).mean()

    if model == "reference-mlp":
        h, d, k = spec["hidden"], spec["dim"], spec["latent"]
        return Vae(nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, 2 * k)), nn.Sequential(nn.Linear(k, h), nn.ReLU(), nn.Linear(h, d)))
    c, k, dn = spec["channels"], spec["latent"], spec["dense"]
    hgt, wid, ch = spec["image"]
    conv = lambda i: [nn.Conv2d(i, c, 4, stride=2, padding=1), nn.ReLU()]  # noqa: E731
    deconv = lambda o: nn.ConvTranspose2d(c, o, 4, stride=2, padding=1)  # noqa: E731
    encoder = nn.Sequential(nn.Unflatten(1, (ch, hgt, wid)), *conv(ch), *conv(c), *conv(c), *conv(c), nn.Flatten(), nn.Linear(4 * 4 * c, dn), nn.ReLU(), nn.Linear(dn, 2 * k))
    decoder = nn.Sequential(
        nn.Linear(k, dn),
        nn.ReLU(),
        nn.Linear(dn, 4 * 4 * c),
        nn.ReLU(),
        nn.Unflatten(1, (c, 4, 4)),
        deconv(c),
        nn.ReLU(),
        deconv(c),
        nn.ReLU(),
        deconv(c),
        nn.ReLU(),
        deconv(ch),
        nn.Flatten(),
    )
    return Vae(encoder, decoder)


def main():
    args = parse_args(lambda p: p.add_argument("--compile", action="store_true", help="torch.compile the model and the optimiser step"))
    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    torch.manual_seed(1)
    model = build(args.model, torch)
    optimizer = torch.optim.Adam(model.parameters(), lr=ADAM_LR, eps=ADAM_EPSILON)
    forward = torch.compile(model) if args.compile else model
    update = torch.compile(optimizer.step) if args.compile else optimizer.step

    def step(x):
        optimizer.zero_grad(set_to_none=True)
        loss = forward(x)
        loss.backward()
        update()
        return loss

    data = [torch.from_numpy(b) for b in batches(args)]
    rates = measure(step, data, args.repeats, lambda loss: loss.item())
    mode = "torch.compile (inductor), compiled Adam step" if args.compile else "eager"
    emit({"ok": True, "rates": rates, "mode": mode, "threads": torch.get_num_threads(), "versions": f"PyTorch {torch.__version__}"})


if __name__ == "__main__":
    run(main)
