// Reads a file named on the command line, refusing anything but a regular file: reading a FIFO
// would wait forever for a writer, a device could never end.
import { constants as fsConstants, promises as fs } from 'node:fs';

export class NotRegularFileError extends Error {
  constructor() {
    super('not a regular file');
  }
}

export async function readRegularTextFile(path: string): Promise<string> {
  const before = await fs.stat(path);
  if (!before.isFile()) throw new NotRegularFileError();
  // O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns.
  const handle = await fs.open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new NotRegularFileError();
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
