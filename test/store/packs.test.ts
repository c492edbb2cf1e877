import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/store/digest';
import {
  PACK_MAX_BYTES,
  blobOf,
  fileBytes,
  groupForPacks,
  packFiles,
  type SmallFile,
} from '../../src/store/packs';

function small(path: string, content: string | Buffer): SmallFile & { size: number } {
  const body = Buffer.from(content);
  return { path, body, sha256: sha256Hex(body), size: body.length };
}

void describe('packs', () => {
  void it('groups files in path order, whatever order they come in, so equal content gives an equal pack', () => {
    const files = [small('b.json', '{"b":1}'), small('a/MLmodel', 'flavors: {}'), small('c.txt', 'c')];
    const [one] = groupForPacks(files);
    const [two] = groupForPacks([...files].reverse());
    assert.deepEqual(
      one.map((f) => f.path),
      ['a/MLmodel', 'b.json', 'c.txt'],
    );
    const pack = packFiles(one);
    assert.equal(pack.sha256, packFiles(two).sha256);
    assert.equal(pack.body.toString(), 'flavors: {}{"b":1}c');
    assert.equal(pack.sha256, sha256Hex(pack.body));
  });

  void it('gives every file back its own bytes, checked against its own digest', () => {
    const files = [small('x', 'first'), small('y', ''), small('z', Buffer.from([0, 1, 2, 255]))];
    const pack = packFiles(files);
    for (const entry of pack.files) {
      const original = files.find((f) => f.path === entry.path)!;
      assert.equal(blobOf(entry), pack.sha256);
      assert.ok(fileBytes(pack.body, entry).equals(original.body), entry.path);
      assert.equal(entry.sha256, original.sha256);
      assert.equal(entry.size, original.body.length);
    }
  });

  void it('stores identical bodies once, both files pointing at the same range', () => {
    const pack = packFiles([small('a', 'same'), small('b', 'other'), small('c', 'same')]);
    assert.equal(pack.body.toString(), 'sameother');
    const [a, , c] = pack.files;
    assert.deepEqual(a.pack, c.pack);
  });

  void it(`splits groups at ${PACK_MAX_BYTES / 1024 / 1024} MiB, planned from sizes alone`, () => {
    const mib = 1024 * 1024;
    // 1 MiB + 1 byte each: seven fit under 8 MiB, the next two make a second group.
    const nine = Array.from({ length: 9 }, (_, i) => ({ path: `f${i}`, size: mib + 1 }));
    assert.deepEqual(
      groupForPacks(nine).map((g) => g.map((f) => f.path)),
      [
        ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6'],
        ['f7', 'f8'],
      ],
    );
    assert.deepEqual(
      groupForPacks(nine.slice(0, 8)).map((g) => g.length),
      [7, 1],
      'the eighth is alone in its group (stored as a plain blob)',
    );
    assert.deepEqual(groupForPacks([]), []);
  });

  void it('says where a loose file lives: its own blob, all of it', () => {
    const file = { path: 'm.bin', size: 3, sha256: 'abc' };
    assert.equal(blobOf(file), 'abc');
    const stored = Buffer.from('xyz and more');
    assert.equal(fileBytes(stored, file), stored, 'a longer blob is not cut to size: its digest must fail');
  });
});
