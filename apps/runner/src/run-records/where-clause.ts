import { ConfigError } from '@elbo/core';
import type { RunRecord } from './run-record.js';

export const WHERE_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type WhereOp = (typeof WHERE_OPS)[number];

/** One `--where` clause: `<key> <op> <number>`, the key a held-out metric (`test/neg_elbo`, `final/neg_elbo`) or a param (`model.latent`). */
export interface WhereClause {
  readonly text: string;
  readonly key: string;
  readonly op: WhereOp;
  readonly value: number;
}

const CLAUSE = /^\s*([^\s<>=!]+)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

/** Parses a `--where` clause; a malformed one is a ConfigError quoting it and saying what is expected. */
export function parseWhere(text: string): WhereClause {
  const m = CLAUSE.exec(text);
  const value = m ? Number(m[3]) : NaN;
  if (!m || !Number.isFinite(value)) {
    throw new ConfigError(
      `--where ${JSON.stringify(text)}: expected <key> <op> <number> with op one of ${WHERE_OPS.join(' ')}, e.g. 'test/neg_elbo < 110'` +
        (m ? `; ${JSON.stringify(m[3])} is not a number` : ''),
    );
  }
  return { text, key: m[1]!, op: m[2] as WhereOp, value };
}

/** The run's number for a key: its final metric, else a numeric param; undefined when it has neither. */
export function valueOf(run: RunRecord, key: string): number | undefined {
  if (key in run.final) return run.final[key];
  const p = run.params[key];
  return typeof p === 'number' ? p : undefined;
}

/** Whether the run satisfies the clause; a run without the key does not. */
export function matches(run: RunRecord, c: WhereClause): boolean {
  const v = valueOf(run, c.key);
  if (v === undefined) return false;
  switch (c.op) {
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
    case '==':
      return v === c.value;
    case '!=':
      return v !== c.value;
  }
}
