#!/usr/bin/env python3
"""Starts a command in a pseudo-terminal and prints the milliseconds until its output
first contains PATTERN (the wizard's first question), then kills it.
Usage: pty-first.py PATTERN TIMEOUT_S CMD [ARGS...]"""
import os, pty, re, select, signal, sys, time

pattern = re.compile(sys.argv[1].encode())
timeout = float(sys.argv[2])
cmd = sys.argv[3:]
t0 = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.environ['COLUMNS'] = '100'
    os.execvp(cmd[0], cmd)
buf = b''
found = None
while time.monotonic() - t0 < timeout:
    r, _, _ = select.select([fd], [], [], 0.05)
    if fd in r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if pattern.search(buf):
            found = (time.monotonic() - t0) * 1000
            break
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
if found is None:
    sys.stderr.write('pattern not seen; output was:\n' + buf.decode(errors='replace')[-2000:] + '\n')
    sys.exit(1)
print(f'{found:.1f}')
