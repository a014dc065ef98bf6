/**
 * Which flagged images the viewer chose to see, for this browser tab: a
 * reveal in the grid holds in the detail view (and after a reload of the tab).
 */
const storageKey = 'labelcast.revealed';

function load(): Set<string> {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(storageKey) ?? '[]');
    return new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

const revealed = load();

export const isRevealed = (id: string) => revealed.has(id);

export function remember(id: string): void {
  revealed.add(id);
  try {
    sessionStorage.setItem(storageKey, JSON.stringify([...revealed]));
  } catch {
    // Storage full or refused: the reveal still holds for this page.
  }
}
