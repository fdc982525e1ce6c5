import { writeFileAtomic } from '@elbo/core';
import { plotSummary } from './plot-summary.js';
import type { SweepFolder } from './sweep-folder.js';
import type { SweepReporter } from './sweep-reporter.js';
import { bestLine, formatTable, summaryCsv, type SweepSummary } from './sweep-summary.js';

/**
 * The local report: `summary.csv` and `summary.png` in the sweep folder, and the table sorted by the
 * metric with the best trial named on `out` (stdout).
 */
export class FolderReporter implements SweepReporter {
  readonly name = 'folder';

  constructor(
    private readonly folder: SweepFolder,
    private readonly out: (s: string) => void = (s) => process.stdout.write(s),
    private readonly info: (s: string) => void = (s) => process.stderr.write(`${s}\n`),
  ) {}

  async end(summary: SweepSummary): Promise<void> {
    await writeFileAtomic(this.folder.csvFile, summaryCsv(summary));
    const png = await plotSummary(summary);
    if (png) await writeFileAtomic(this.folder.plotFile, png);
    this.out(`${formatTable(summary)}\n${bestLine(summary)}\n`);
    this.info(`summary: ${this.folder.csvFile}${png ? `, ${this.folder.plotFile}` : ''}`);
  }
}
