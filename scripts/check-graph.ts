/**
 * Checks an nx project graph against the module boundaries (scripts/module-boundaries.json, the
 * table `@nx/enforce-module-boundaries` lints with): every edge between projects must go from a
 * tag to a tag it may depend on, and every project must carry a `type:` tag.
 *
 *     npx nx graph --file=/tmp/graph.json && npx tsx scripts/check-graph.ts /tmp/graph.json
 *
 * Prints each project's edges and exits 1 when any edge is forbidden.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface DepConstraint {
  readonly sourceTag: string;
  readonly onlyDependOnLibsWithTags: readonly string[];
}

interface ProjectGraphFile {
  readonly graph: {
    readonly nodes: Record<string, { readonly name: string; readonly data: { readonly tags?: readonly string[] } }>;
    readonly dependencies: Record<string, readonly { readonly source: string; readonly target: string; readonly type: string }[]>;
  };
}

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx scripts/check-graph.ts <graph.json>   (write one with `npx nx graph --file=<graph.json>`)');
  process.exit(2);
}
const { graph } = JSON.parse(readFileSync(file, 'utf8')) as ProjectGraphFile;
const { depConstraints } = JSON.parse(readFileSync(join(import.meta.dirname, 'module-boundaries.json'), 'utf8')) as { depConstraints: DepConstraint[] };

const typeTag = (project: string) => graph.nodes[project]?.data.tags?.find((t) => t.startsWith('type:'));
const problems: string[] = [];
for (const project of Object.keys(graph.nodes).sort()) {
  const tag = typeTag(project);
  const allowed = depConstraints.find((c) => c.sourceTag === tag)?.onlyDependOnLibsWithTags;
  if (!tag || !allowed)
    problems.push(`${project}: no rule for its tag ${tag ?? '(none)'}; tag it in its package.json (nx.tags) with one of ${depConstraints.map((c) => c.sourceTag).join(', ')}`);
  // Edges to npm packages (npm:…) are not between projects; the lint rule import-x/no-extraneous-dependencies covers them.
  const targets = [...new Set((graph.dependencies[project] ?? []).map((d) => d.target).filter((t) => t in graph.nodes))].sort();
  const verdicts = targets.map((target) => {
    const targetTag = typeTag(target);
    const ok = !!allowed && (allowed.includes('*') || (!!targetTag && allowed.includes(targetTag)));
    if (!ok)
      problems.push(
        `${project} (${tag ?? 'untagged'}) → ${target} (${targetTag ?? 'untagged'}): ${tag ?? 'an untagged project'} may depend only on ${allowed?.join(', ') ?? 'nothing'}`,
      );
    return `${target}${ok ? '' : ' ✗'}`;
  });
  console.log(`${project} (${tag ?? 'untagged'}) → ${verdicts.join(', ') || '—'}`);
}
if (problems.length) {
  console.error(`\n${problems.length} forbidden edge(s) or untagged project(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`\n${Object.keys(graph.nodes).length} projects, no forbidden edge.`);
