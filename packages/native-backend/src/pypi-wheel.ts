import { fetchFailure } from './download-file.js';

/** One wheel file of a package, as the index lists it. */
export interface WheelFile {
  readonly filename: string;
  readonly url: string;
  readonly sha256?: string;
  readonly version: string;
  /** The oldest glibc its manylinux tags accept (`2.27`). */
  readonly glibc: string;
}

/** `manylinux_2_27_x86_64`, and the legacy aliases of PEP 600. */
function manylinuxGlibc(tag: string, arch: string): string | undefined {
  const m = new RegExp(`^manylinux_(\\d+)_(\\d+)_${arch}$`).exec(tag);
  if (m) return `${m[1]}.${m[2]}`;
  return ({ [`manylinux2014_${arch}`]: '2.17', [`manylinux2010_${arch}`]: '2.12', [`manylinux1_${arch}`]: '2.5' } as Record<string, string>)[tag];
}

/** Compares dotted versions numerically (`2.9.1` < `2.21.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The Linux wheels of `project` for `arch` (`x86_64`) among an index's files: any CPython tag (only
 * their shared libraries are used, never imported), final releases only, not yanked.
 */
export function linuxWheels(project: string, files: readonly { filename: string; url: string; sha256?: string; yanked?: boolean }[], arch = 'x86_64'): WheelFile[] {
  const stem = project.replace(/-/g, '_');
  const out: WheelFile[] = [];
  for (const f of files) {
    const m = /^([^-]+)-(\d+(?:\.\d+)*)-[^-]+-[^-]+-([^-]+)\.whl$/.exec(f.filename);
    if (!m || m[1]!.toLowerCase() !== stem || f.yanked) continue;
    const glibcs = m[3]!
      .split('.')
      .map((t) => manylinuxGlibc(t, arch))
      .filter((g): g is string => !!g);
    if (!glibcs.length) continue;
    const glibc = glibcs.sort(compareVersions)[0]!;
    out.push({ filename: f.filename, url: f.url, ...(f.sha256 ? { sha256: f.sha256 } : {}), version: m[2]!, glibc });
  }
  return out;
}

/**
 * Chooses the wheel: the requested version (or the newest, for `latest`) whose glibc requirement
 * this machine meets; among equals, the first in file-name order (deterministic).
 */
export function chooseWheel(wheels: readonly WheelFile[], version: string, glibc: string | undefined): { wheel?: WheelFile; why?: string } {
  const usable = wheels.filter((w) => !glibc || compareVersions(w.glibc, glibc) <= 0);
  const versions = [...new Set(usable.map((w) => w.version))].sort(compareVersions);
  const v = version === 'latest' ? versions.at(-1) : version;
  const pick = usable.filter((w) => w.version === v).sort((a, b) => a.filename.localeCompare(b.filename))[0];
  if (pick) return { wheel: pick };
  const any = wheels.some((w) => w.version === v);
  return {
    why: any
      ? `its ${v} Linux wheels need glibc ≥ ${
          wheels
            .filter((w) => w.version === v)
            .map((w) => w.glibc)
            .sort(compareVersions)[0]
        }, this machine has ${glibc}`
      : `no Linux wheel of version ${version}${versions.length ? ` (usable versions: ${versions.slice(-5).join(', ')}…)` : ''}`,
  };
}

/**
 * Lists a project's files from a simple repository index (PEP 691 JSON, or PEP 503 HTML from
 * mirrors that only serve that). Network errors and HTTP errors are thrown as one line.
 */
export async function indexFiles(indexUrl: string, project: string, timeoutMs = 30_000): Promise<{ filename: string; url: string; sha256?: string; yanked?: boolean }[]> {
  const url = `${indexUrl.replace(/\/?$/, '/')}${project}/`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/vnd.pypi.simple.v1+json, text/html;q=0.1' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new Error(`${url}: ${fetchFailure(e)}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await res.json()) as { files?: { filename: string; url: string; hashes?: { sha256?: string }; yanked?: boolean | string }[] };
    return (body.files ?? []).map((f) => ({
      filename: f.filename,
      url: new URL(f.url, url).href,
      ...(f.hashes?.sha256 ? { sha256: f.hashes.sha256 } : {}),
      yanked: !!f.yanked,
    }));
  }
  const html = await res.text();
  const files = [];
  for (const a of html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi)) {
    const href = new URL(a[1]!.replaceAll('&amp;', '&'), url);
    const sha256 = /^#sha256=([0-9a-f]{64})$/i.exec(href.hash)?.[1];
    href.hash = '';
    files.push({ filename: a[2]!.trim(), url: href.href, ...(sha256 ? { sha256 } : {}), yanked: /data-yanked/.test(a[0]) });
  }
  return files;
}
