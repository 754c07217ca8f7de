// Know your painful points, in the layout of issue 24: one inventory as the guidelines word it
// (one box per category, answer key "<category>"), then a separate, optional "Harm I may have
// done" (answer key "harm"), never beside a category.
//
// Records written before it keep "<category>:experienced" and "<category>:perpetrated". They are
// read into the new layout without losing a word: an experienced answer becomes the category's
// box; each perpetrated answer goes into "harm", under its category's name, in the inventory's
// order. Nothing is dropped: a key this function doesn't know stays as it was.

const EXPERIENCED = ":experienced";
const PERPETRATED = ":perpetrated";

function joined(first, second) {
  return first ? `${first}\n\n${second}` : second;
}

/**
 * The answers in the current layout. `categories` is [{id, text}] in the inventory's order.
 * Returns {answers, migrated}: `migrated` is true when something was moved.
 */
export function toCurrentLayout(answers, categories) {
  const current = {};
  let migrated = false;
  const harm = [];
  for (const [key, text] of Object.entries(answers)) {
    if (key.endsWith(EXPERIENCED)) {
      const id = key.slice(0, -EXPERIENCED.length);
      current[id] = joined(current[id], text);
      migrated = true;
    } else if (!key.endsWith(PERPETRATED)) {
      current[key] = joined(current[key], text);
    }
  }
  const order = categories.map((category) => category.id);
  const perpetrated = Object.keys(answers)
    .filter((key) => key.endsWith(PERPETRATED))
    .sort((a, b) => rank(order, a) - rank(order, b));
  for (const key of perpetrated) {
    const id = key.slice(0, -PERPETRATED.length);
    const name = categories.find((category) => category.id === id)?.text || id;
    harm.push(`${name}:\n${answers[key]}`);
    migrated = true;
  }
  if (harm.length) current.harm = [current.harm, ...harm].filter(Boolean).join("\n\n");
  return { answers: current, migrated };
}

function rank(order, key) {
  const at = order.indexOf(key.slice(0, -PERPETRATED.length));
  return at === -1 ? order.length : at;
}
