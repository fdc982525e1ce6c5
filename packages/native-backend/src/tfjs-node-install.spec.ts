import { describe, expect, it } from 'vitest';
import { libtensorflowUrl, mirrorSettings } from './tfjs-node-install.js';

// Expected values: tfjs-node 4.22.0's own scripts/install.js (getPlatformLibtensorflowUri) evaluated
// under the same environments (recorded in docs/native-backend.md).
describe('libtensorflowUrl: the URL tfjs-node’s installer downloads', () => {
  const cases: [Record<string, string>, string][] = [
    [{}, 'https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ TFJS_NODE_CDN_STORAGE: 'http://127.0.0.1:8080/' }, 'http://127.0.0.1:8080/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ TFJS_NODE_BASE_URI: 'http://m/x/libtensorflow-' }, 'http://m/x/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ TFJS_NODE_BASE_URI: 'http://m/x/lt-', TFJS_NODE_CDN_STORAGE: 'http://c/' }, 'http://m/x/lt-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ npm_config_TFJS_NODE_CDN_STORAGE: 'http://npmc/' }, 'http://npmc/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ CDN_STORAGE: 'http://cdn/' }, 'http://cdn/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'],
    [{ npm_config_TFJS_NODE_BASE_URI: 'http://nb/', CDN_STORAGE: 'http://cdn/' }, 'http://nb/cpu-linux-x86_64-2.9.1.tar.gz'],
  ];
  for (const [env, url] of cases) {
    it(JSON.stringify(env), () => expect(libtensorflowUrl(env, 'linux', 'x64')).toBe(url));
  }
  it('keeps the installer’s special cases for ARM and its Windows zip', () => {
    expect(libtensorflowUrl({ TFJS_NODE_CDN_STORAGE: 'http://c/' }, 'linux', 'arm64')).toBe('http://c/tf-builds/libtensorflow_r2_7_linux_arm64.tar.gz');
    expect(libtensorflowUrl({}, 'win32', 'x64')).toBe('https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-windows-x86_64-2.9.1.zip');
    expect(() => libtensorflowUrl({}, 'freebsd', 'x64')).toThrow(/no libtensorflow build for freebsd-x64/);
  });
  it('mirrorSettings lists the variables that are set, in the installer’s precedence order', () => {
    expect(mirrorSettings({ CDN_STORAGE: 'c', TFJS_NODE_BASE_URI: 'b', PATH: '/bin' })).toEqual(['TFJS_NODE_BASE_URI=b', 'CDN_STORAGE=c']);
    expect(mirrorSettings({ TFJS_NODE_CDN_STORAGE: '' })).toEqual([]);
  });
});
