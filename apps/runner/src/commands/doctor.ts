import { backendReport, formatBackendReport } from '@elbo/native-backend';
import { Exit } from '../errors.js';

/**
 * `elbo doctor [--json]`: which compute backends load here, which one `backend: auto` chooses and
 * why the others do not (with what to do about it), versions, CPU and threads.
 */
export async function doctorCommand(args: { json: boolean }, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const report = await backendReport();
  write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatBackendReport(report));
  return 'name' in report.auto ? Exit.ok : Exit.failed;
}
