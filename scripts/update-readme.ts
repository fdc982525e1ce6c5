/** Regenerates the README's config reference from the component manifests (`npm run docs`). */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createContainer } from '@elbo/core';
import { componentsMarkdown, firstPartyModules } from '@elbo/runner';

const file = join(import.meta.dirname, '..', 'README.md');
const text = readFileSync(file, 'utf8');
const start = '<!-- components:start -->';
const end = '<!-- components:end -->';
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`${file}: missing ${start} … ${end} markers`);
const { registry } = createContainer(firstPartyModules);
const next = `${text.slice(0, i + start.length)}\n${componentsMarkdown(registry).trim()}\n${text.slice(j)}`;
writeFileSync(`${file}.tmp`, next);
renameSync(`${file}.tmp`, file);
console.log(`${file}: config reference regenerated`);
