import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256Hex } from '../../src/store/digest';
import { PACK_MAX_BYTES, blobOf, buildPacks, fileBytes, type SmallFile } from '../../src/store/packs';

function small(path: string, content: string | Buffer): SmallFile {
  const body = Buffer.from(content);
  return { path, body, sha256: sha256Hex(body) };
}

void describe('packs', () => {
  void it('packs files in path order, whatever order they come in, so equal content gives an equal pack', () => {
    const files = [small('b.json', '{"b":1}'), small('a/MLmodel', 'flavors: {}'), small('c.txt', 'c')];
    const one = buildPacks(files);
    const two = buildPacks([...files].reverse());
    assert.equal(one.packs.length, 1);
    assert.deepEqual(one.loose, []);
    assert.equal(one.packs[0].sha256, two.packs[0].sha256);
    assert.deepEqual(
      one.packs[0].files.map((f) => f.path),
      ['a/MLmodel', 'b.json', 'c.txt'],
    );
    assert.equal(one.packs[0].body.toString(), 'flavors: {}{"b":1}c');
    assert.equal(one.packs[0].sha256, sha256Hex(one.packs[0].body));
  });

  void it('gives every file back its own bytes, checked against its own digest', () => {
    const files = [small('x', 'first'), small('y', ''), small('z', Buffer.from([0, 1, 2, 255]))];
    const { packs } = buildPacks(files);
    for (const entry of packs[0].files) {
      const original = files.find((f) => f.path === entry.path)!;
      assert.equal(blobOf(entry), packs[0].sha256);
      assert.ok(fileBytes(packs[0].body, entry).equals(original.body), entry.path);
      assert.equal(entry.sha256, original.sha256);
      assert.equal(entry.size, original.body.length);
    }
  });

  void it('stores identical bodies once, both files pointing at the same range', () => {
    const { packs } = buildPacks([small('a', 'same'), small('b', 'other'), small('c', 'same')]);
    assert.equal(packs[0].body.toString(), 'sameother');
    const [a, , c] = packs[0].files;
    assert.deepEqual(a.pack, c.pack);
  });

  void it(`splits at ${PACK_MAX_BYTES / 1024 / 1024} MiB and leaves a file alone in its group loose`, () => {
    const mib = Buffer.alloc(1024 * 1024, 7);
    const files = Array.from({ length: 9 }, (_, i) =>
      small(`f${i}`, Buffer.concat([mib, Buffer.from(String(i))])),
    );
    const { packs, loose } = buildPacks(files);
    // 1 MiB + 1 byte each: seven fit under 8 MiB, the next two make a second pack.
    assert.deepEqual(
      packs.map((p) => p.files.length),
      [7, 2],
    );
    assert.ok(packs.every((p) => p.body.length <= PACK_MAX_BYTES));
    assert.deepEqual(loose, []);

    const odd = buildPacks(files.slice(0, 8));
    assert.deepEqual(
      odd.packs.map((p) => p.files.length),
      [7],
    );
    assert.deepEqual(
      odd.loose.map((f) => f.path),
      ['f7'],
    );
  });

  void it('says where a loose file lives: its own blob, all of it', () => {
    const file = { path: 'm.bin', size: 3, sha256: 'abc' };
    assert.equal(blobOf(file), 'abc');
    const stored = Buffer.from('xyz and more');
    assert.equal(fileBytes(stored, file), stored, 'a longer blob is not cut to size: its digest must fail');
  });
});
