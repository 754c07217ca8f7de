// Merging the server's copy of the vault into this phone's (docs/vault-format.md, "Merging two
// backups"), after checking it can't roll the vault back or slip in a record (issue 11). Nothing
// is lost: a record both phones changed is kept twice. static/backup/index.js calls mergeServerCopy
// when the server answers a backup with 409 and its latest copy.

export class BackupError extends Error {
  constructor(code, message = code) {
    super(message);
    this.name = "BackupError";
    this.code = code;
  }
}

const has = (object, key) => Object.hasOwn(object, key);
const counterOf = (record) => (record.version === 1 ? 0 : record.counter);

// A copy kept beside the newer one gets an id of its own, because the id is bound into the
// record's additional data: so it is decrypted and encrypted again under the new id.
function copyId(id) {
  const random = crypto.getRandomValues(new Uint8Array(4));
  const suffix = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${id.slice(0, 100)}.copy-${suffix}`;
}

async function anyOpens(vault, records) {
  for (const record of records) {
    try {
      await vault.openSealed(record);
      return true;
    } catch (error) {
      if (error.code !== "damaged-record") throw error;
    }
  }
  return false;
}

/**
 * The server copy's manifest, opened and checked before anything is merged (null for a format 1
 * copy from before manifests). Refuses, changing nothing:
 * - `rolled-back`: the manifest is older than the newest this phone has seen (`seen`), or it is
 *   a format 1 copy after this phone has seen a manifest;
 * - `tampered`: the manifest doesn't open although records do, or the records aren't exactly the
 *   ones it lists (one missing, added, or an older save in its place);
 * - `other-vault`: neither the manifest nor any record opens with this vault's key.
 */
async function checkedManifest(vault, file, seen) {
  if (file.version === 1) {
    if (seen > 0) throw new BackupError("rolled-back");
    return null;
  }
  let manifest;
  try {
    manifest = await vault.openManifest(file);
  } catch (error) {
    if (error.code !== "damaged-manifest" && error.code !== "bad-format") throw error;
    throw new BackupError((await anyOpens(vault, file.records)) ? "tampered" : "other-vault");
  }
  if (manifest.counter < seen) throw new BackupError("rolled-back");
  const listed = manifest.records;
  const exact =
    file.records.length === Object.keys(listed).length &&
    file.records.every(
      (record) =>
        has(listed, record.id) &&
        listed[record.id].iv === record.iv &&
        listed[record.id].counter === counterOf(record),
    );
  if (!exact) throw new BackupError("tampered");
  return manifest;
}

/**
 * Merges the server's export file into this (unlocked) vault without losing a record, after
 * checking its manifest (checkedManifest: nothing changes if it is refused). `base` is what this
 * phone and the server last had in common ({ivs, gone}); `seen` the newest manifest counter.
 * - a record only the server has is added as it is, unless this phone deleted it since the
 *   last sync and the server's is the one it deleted;
 * - a record only one side changed since the last sync takes that side;
 * - a record both sides changed keeps the newer (by updatedAt) under its id, and the other
 *   is kept too, re-encrypted under a new id (unless both hold the same words);
 * - a record the server's manifest lists as deleted is deleted here, unless this phone changed
 *   it since the last sync: then its words are kept, saved again with a newer counter.
 * Returns how many records came from the server, copies made, records deleted, and the manifest.
 */
export async function mergeServerCopy(vault, file, base = {}, seen = 0) {
  const manifest = await checkedManifest(vault, file, seen);
  const baseIvs = base.ivs || {};
  if (manifest) {
    const counters = [manifest.counter, ...Object.values(manifest.tombstones)];
    await vault.advanceClock(Math.max(...counters, ...file.records.map(counterOf)));
  }
  const local = new Map((await vault.sealedRecords()).map((r) => [r.id, r]));
  const localGone = (await vault.state()).tombstones;
  const sameAsBase = (id, iv) => has(baseIvs, id) && baseIvs[id] === iv;
  let added = 0;
  let copies = 0;
  let removed = 0;
  let opened = 0;
  let unopened = 0;
  for (const theirs of file.records) {
    const mine = local.get(theirs.id);
    if (mine && mine.iv === theirs.iv && mine.ciphertext === theirs.ciphertext) {
      opened += 1;
      continue;
    }
    let theirsOpened;
    try {
      theirsOpened = await vault.openSealed(theirs);
      opened += 1;
    } catch (error) {
      if (error.code !== "damaged-record") throw error;
      unopened += 1;
      continue;
    }
    if (!mine) {
      // Deleted on this phone since the last sync, and the server's is the one it deleted.
      if (has(localGone, theirs.id) && sameAsBase(theirs.id, theirs.iv)) continue;
      await vault.putSealed(theirs, null);
      added += 1;
    } else if (sameAsBase(theirs.id, theirs.iv)) {
      // Only this phone changed it since the last sync: this phone's is the one to keep.
    } else if (sameAsBase(theirs.id, mine.iv)) {
      await vault.putSealed(theirs, mine.iv); // only the other phone changed it
      added += 1;
    } else {
      // Both changed it (or they share no history): nothing is thrown away.
      const mineOpened = await vault.openSealed(mine).catch((error) => {
        if (error.code !== "damaged-record") throw error;
        return null;
      });
      if (!mineOpened || JSON.stringify(mineOpened.value) === JSON.stringify(theirsOpened.value)) {
        // The same words on both (both phones migrated it), or this phone's copy is damaged.
        if (!mineOpened || counterOf(theirs) > counterOf(mine)) {
          await vault.putSealed(theirs, mine.iv);
        }
        continue;
      }
      const theirsNewer = theirs.updatedAt > mine.updatedAt;
      const older = theirsNewer ? mineOpened : theirsOpened;
      if (theirsNewer) await vault.putSealed(theirs, mine.iv);
      await vault.put(older.kind, copyId(older.id), older.value);
      added += 1;
      copies += 1;
    }
  }
  // Deletions made on another phone: the record goes here too, unless this phone changed it.
  for (const [id, counter] of Object.entries(manifest ? manifest.tombstones : {})) {
    const mine = local.get(id);
    if (!mine) {
      if (!has(localGone, id) || localGone[id] < counter) await vault.bury(id, counter, null);
    } else if (sameAsBase(id, mine.iv)) {
      await vault.bury(id, counter, mine.iv);
      removed += 1;
    } else if (counterOf(mine) <= counter) {
      // Changed here while it was deleted there: keep the words, newer than the deletion.
      const kept = await vault.openSealed(mine).catch(() => null);
      if (kept) await vault.put(kept.kind, kept.id, kept.value);
    }
  }
  // Not one record opened: the server holds another vault (made with another data key), so
  // backing up over it would hide those notes. Refuse, and change nothing on the server.
  if (unopened > 0 && opened === 0) {
    throw new BackupError("other-vault");
  }
  return { added, copies, removed, unopened, manifest };
}
