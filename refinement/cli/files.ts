/**
 * The command line's files: reading an input file with a size bound (a
 * device or a huge file is refused, not read until memory runs out), making
 * an output directory one level at a time (Node's recursive mkdir never
 * returns below /proc), and writing a new file without ever overwriting one.
 * Every failure is a `UsageError` naming the file and the reason.
 */
import { closeSync, constants, fstatSync, fsyncSync, linkSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import { UsageError, quote } from './io';

const reason = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  const byCode: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EEXIST: 'already exists',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'name too long',
    EMFILE: 'too many open files',
    EIO: 'input/output error',
    EINVAL: 'invalid argument',
    EFBIG: 'file too large (a size limit)',
    EDQUOT: 'disk quota exceeded',
  };
  return err.code === undefined ? String(err.message) : `${byCode[err.code] ?? 'error'} (${err.code})`;
};

/**
 * Read a regular file of at most `maxBytes` as UTF-8. Devices, pipes and
 * directories are refused before reading (they may never end, or block).
 */
export const readInputFile = (file: string, maxBytes: number): string => {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`cannot read ${quote(file)}: ${reason(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UsageError(`cannot read ${quote(file)}: it is a directory, not a trace file`);
    if (!st.isFile()) throw new UsageError(`cannot read ${quote(file)}: not a regular file (a device, pipe or socket)`);
    if (st.size > maxBytes) throw new UsageError(`${quote(file)} is ${st.size} bytes, more than the ${maxBytes} a trace file may have`);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    // The size can change under us: read at most one byte past the bound, to tell.
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n >= buf.length) break;
    }
    if (n > maxBytes) throw new UsageError(`${quote(file)} is more than the ${maxBytes} bytes a trace file may have`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${quote(file)}: ${reason(e)}`);
  } finally {
    closeSync(fd);
  }
};

/**
 * Make `dir` and any missing parents, one level at a time, and check the
 * result is a directory.
 */
export const ensureDirectory = (dir: string, option: string): void => {
  const abs = resolve(dir);
  const chain: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    chain.unshift(p);
    if (p === parse(p).root) break;
  }
  for (const p of chain) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${option} ${quote(dir)}: cannot use ${quote(p)}: ${reason(e)}`);
    }
    if (isDir === false) throw new UsageError(`${option} ${quote(dir)}: ${quote(p)} is a file, not a directory`);
    if (isDir === undefined) {
      try {
        mkdirSync(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`${option} ${quote(dir)}: cannot create ${quote(p)}: ${reason(e)}`);
      }
    }
  }
  // A directory that is there but takes no files (read-only, immutable, /proc) says so now, not after the runs.
  const probe = join(abs, `.sel4-spec-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${option} ${quote(dir)}: cannot write files there: ${reason(e)}`);
  }
};

/** The names a new file may take, in order: `<base>.<ext>`, `<base>-2.<ext>`, `-3`... */
const MAX_NUMBERED = 10_000;
const candidateName = (dir: string, base: string, ext: string, n: number): string => join(dir, `${base}${n === 1 ? '' : `-${n}`}.${ext}`);

/** Create the first free candidate name with `claim` (which throws EEXIST when the name is taken). */
const firstFree = (dir: string, base: string, ext: string, claim: (file: string) => void): string => {
  for (let n = 1; n <= MAX_NUMBERED; n++) {
    const file = candidateName(dir, base, ext, n);
    try {
      claim(file);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new UsageError(`cannot write in ${quote(dir)}: ${MAX_NUMBERED} files named ${base}-N.${ext} already exist`);
};

/** Write all of `data` to an open file and close it. */
const writeAllAndClose = (fd: number, data: Buffer, sync: boolean): void => {
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Errors of a file system without hard links: write the final name directly then. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV']);

/**
 * Write `text` to a new file in `dir` named `<base>.<ext>`, or `<base>-2.<ext>`,
 * `-3`... if that exists: a file already there is never overwritten, and a
 * write that fails (a full disk, a size limit) leaves no partial file. The
 * text goes to a temporary file first, linked into place whole; where the file
 * system has no hard links, the final name is created exclusively and removed
 * again if the write fails. Returns the path written.
 */
export const writeNewFile = (dir: string, base: string, ext: string, text: string): string => {
  const data = Buffer.from(text, 'utf8');
  const tmp = join(dir, `.${base}.${process.pid}.partial`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (e) {
    throw new UsageError(`cannot write in ${quote(dir)}: ${reason(e)}`);
  }
  try {
    writeAllAndClose(fd, data, true);
    try {
      return firstFree(dir, base, ext, (file) => linkSync(tmp, file));
    } catch (e) {
      if (!NO_HARD_LINKS.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      return firstFree(dir, base, ext, (file) => {
        const out = openSync(file, 'wx');
        try {
          writeAllAndClose(out, data, false);
        } catch (w) {
          unlinkSync(file);
          throw w;
        }
      });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${quote(candidateName(dir, base, ext, 1))}: ${reason(e)}`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
};
