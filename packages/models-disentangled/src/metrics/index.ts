// Placeholder until the disentanglement metrics land: their public API.
export {};
