#!/usr/bin/env python3
"""Runs a command in a real pseudo-terminal and lets a test drive it, one JSON command per
line on stdin, one JSON reply per line on stdout:

  {"op": "expect", "re": "What is your company", "timeout": 10}
      waits until the screen text printed since the last match (escape codes removed)
      matches; replies {"ok": true, "text": ...} or {"ok": false, "error": "timeout", "tail": ...}
  {"op": "send", "data": "Acme\\r"}      types into the terminal (\\x03 is Ctrl-C)
  {"op": "wait", "timeout": 30}          waits for the exit; {"ok": true, "code": n, "signal": s}
  {"op": "transcript"}                   {"ok": true, "raw": everything written, escapes kept}
  {"op": "kill"}                         SIGKILL
  {"op": "signal", "sig": "HUP"}         sends SIGHUP (or TERM, INT, …) to the CLI

Usage: pty-driver.py COLS ROWS CMD [ARGS...]  (the environment is passed through)."""
import json, os, pty, re, select, signal, struct, sys, time, fcntl, termios

cols, rows = int(sys.argv[1]), int(sys.argv[2])
cmd = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

ANSI = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]|\x1b[=>78]')
raw = b''
mark = 0          # index in the plain text after the last match
status = None     # (code, signal) once the child is gone
eof = False


def plain():
    return ANSI.sub('', raw.decode('utf-8', errors='replace')).replace('\r', '')


def pump(timeout):
    """Reads what the child wrote (up to `timeout` seconds); notes its exit."""
    global raw, eof, status
    if not eof:
        r, _, _ = select.select([fd], [], [], timeout)
        if fd in r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b''
            if chunk:
                raw += chunk
            else:
                eof = True
    elif timeout:
        time.sleep(min(timeout, 0.05))
    if status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = (os.WEXITSTATUS(st) if os.WIFEXITED(st) else None, os.WTERMSIG(st) if os.WIFSIGNALED(st) else None)


def reply(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def handle(c):
    global mark
    op = c['op']
    if op == 'send':
        os.write(fd, c['data'].encode())
        reply({'ok': True})
    elif op == 'expect':
        pat = re.compile(c['re'])
        deadline = time.monotonic() + c.get('timeout', 10)
        found = None
        while time.monotonic() < deadline:
            text = plain()
            m = pat.search(text, mark)
            if m:
                found = (text[mark:m.end()], m.end())
                break
            if eof and status is not None:
                break
            pump(0.05)
        if found:
            mark = found[1]
            reply({'ok': True, 'text': found[0]})
        else:
            reply({'ok': False, 'error': 'exited' if status is not None else 'timeout', 'tail': plain()[mark:][-3000:]})
    elif op == 'wait':
        deadline = time.monotonic() + c.get('timeout', 30)
        while time.monotonic() < deadline and (status is None or not eof):
            pump(0.05)
        if status is None:
            reply({'ok': False, 'error': 'timeout', 'tail': plain()[-3000:]})
        else:
            # Drain what is left.
            while not eof:
                pump(0.05)
            reply({'ok': True, 'code': status[0], 'signal': status[1], 'rest': plain()[mark:]})
    elif op == 'transcript':
        pump(0)
        reply({'ok': True, 'raw': raw.decode('utf-8', errors='replace')})
    elif op == 'signal':
        try:
            os.kill(pid, getattr(signal, 'SIG' + c['sig']))
        except ProcessLookupError:
            pass
        reply({'ok': True})
    elif op == 'kill':
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        reply({'ok': True})



# Commands and the child's output are read together, so the child never blocks on a full
# terminal buffer while the test thinks.
pending = b''
while True:
    r, _, _ = select.select([0] + ([] if eof else [fd]), [], [], 0.1)
    if fd in r:
        pump(0)
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            break
        pending += data
        while b'\n' in pending:
            line, pending = pending.split(b'\n', 1)
            if line.strip():
                handle(json.loads(line))
    if eof and status is None:
        pump(0)

if status is None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
