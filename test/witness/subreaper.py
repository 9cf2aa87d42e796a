#!/usr/bin/env python3
"""The kernel's accounting of every process of a pipeline, as the CPU witness of timer --pipeline.

Usage: subreaper.py TEXT -- runs `bash -c TEXT` as a child subreaper (prctl PR_SET_CHILD_SUBREAPER):
every process of the pipeline ends reaped either by a process of it (its CPU then in that one's
rusage, and so up to bash's) or, orphaned, by this one. Waits for all of them, and prints one JSON
object on stderr: the CPU of all (ms, user and sys) and of each process it reaped itself, by pid and
command. stdin, stdout and stderr are the pipeline's.
"""
import ctypes
import json
import os
import sys

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("subreaper.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

bash = os.fork()
if bash == 0:
    os.execvp("bash", ["bash", "-c", sys.argv[1]])

reaped = []
names = {}
status = None
while True:
    # the commands of children adopted since (read before they are reaped)
    try:
        for pid in open(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read().split():
            if pid not in names:
                try:
                    names[pid] = open(f"/proc/{pid}/cmdline").read().replace("\0", " ").strip()
                except OSError:
                    pass
    except OSError:
        pass
    try:
        pid, wstatus, usage = os.wait4(-1, 0)
    except ChildProcessError:
        break
    if pid == bash:
        status = os.waitstatus_to_exitcode(wstatus)
    reaped.append({
        "pid": pid,
        "command": "bash" if pid == bash else names.get(str(pid), "?"),
        "userMs": usage.ru_utime * 1000,
        "sysMs": usage.ru_stime * 1000,
    })
total_user = sum(r["userMs"] for r in reaped)
total_sys = sum(r["sysMs"] for r in reaped)
print(json.dumps({"status": status, "userMs": total_user, "sysMs": total_sys, "reaped": reaped}), file=sys.stderr)
