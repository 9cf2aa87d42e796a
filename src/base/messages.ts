const SYSTEM_ERROR_TEXT: Record<string, string> = {
  ENOSPC: 'No space left on device',
  EPIPE: 'Broken pipe',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EFBIG: 'File too large',
  EDQUOT: 'Disk quota exceeded',
  EAGAIN: 'Resource temporarily unavailable',
  EINVAL: 'Invalid argument',
  ECONNRESET: 'Connection reset by peer',
};

/** An I/O error as the C library words it ("No space left on device"), for `prog: write error: …`. */
export function systemErrorText(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && code in SYSTEM_ERROR_TEXT) return SYSTEM_ERROR_TEXT[code]!;
  const text = String(message ?? error)
    .replace(/^[A-Z0-9_]+: /, '')
    .replace(/, \w+$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A JavaScript (UTF-16) string as the byte string of its UTF-8 encoding, for latin1 output. */
export function utf8Bytes(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1');
}
