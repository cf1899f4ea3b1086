import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every test service binds loopback only (two test stacks on one machine must not collide, and nothing a test
 * starts may be reachable from the network). This reads the listening sockets of every process the service
 * scripts recorded (`$TI_RUN/*.pid`) straight from /proc, so it covers services added later without a list here.
 */
const runDir = process.env.TI_RUN ?? '/tmp/test-infra';

/** Inode -> "address:port" of every listening TCP socket (state 0A) on the machine, IPv4 and IPv6. */
function listeningSockets(): Map<string, string> {
  const sockets = new Map<string, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue;
      const [address = '', port = ''] = (fields[1] ?? '').split(':');
      sockets.set(fields[9] ?? '', `${address}:${Number.parseInt(port, 16)}`);
    }
  }
  return sockets;
}

/** /proc/net/tcp writes 127.0.0.1 as 0100007F, ::1 as 0…01000000 and ::ffff:127.0.0.1 as 0…FFFF00000100007F. */
function isLoopback(hexAddress: string): boolean {
  if (hexAddress.length === 8) return hexAddress.endsWith('7F');
  return (
    hexAddress === '00000000000000000000000001000000' || /^0000000000000000FFFF0000[0-9A-F]{6}7F$/.test(hexAddress)
  );
}

function socketInodes(pid: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const match = /^socket:\[(\d+)\]$/.exec(target);
        return match?.[1] ? [match[1]] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

const pidFiles = existsSync(runDir) ? readdirSync(runDir).filter((name) => name.endsWith('.pid')) : [];

describe.skipIf(pidFiles.length === 0)('test services', () => {
  it('listen on loopback addresses only', () => {
    const sockets = listeningSockets();
    const exposed: string[] = [];
    let listening = 0;
    for (const pidFile of pidFiles) {
      const pid = readFileSync(join(runDir, pidFile), 'utf8').trim();
      for (const inode of socketInodes(pid)) {
        const local = sockets.get(inode);
        if (!local) continue;
        listening++;
        const [address = '', port = ''] = local.split(':');
        if (!isLoopback(address)) exposed.push(`${pidFile.replace(/\.pid$/, '')} listens on ${address}:${port}`);
      }
    }
    expect(listening).toBeGreaterThan(0);
    expect(exposed).toEqual([]);
  });
});
