export class TrainingAborted extends Error {
  constructor() {
    super('training was interrupted');
    this.name = 'TrainingAborted';
  }
}

export class TrainingDiverged extends Error {
  constructor(epoch: number, key: string, value: number) {
    super(`training diverged: ${key} is ${value} in epoch ${epoch} (lower the learning rate, or set optimizer.clipNorm)`);
    this.name = 'TrainingDiverged';
  }
}
