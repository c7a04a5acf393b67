// The incident categories (config/incident-categories.json), grouped under the national classification's top levels.
// Loaded once per console and shared by every form and list.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Category } from '../../../server/incidents/schema';
import { api } from '../api/endpoints';
import { toApiError, type ApiError } from '../api/http';
import { nameIn } from '../format';

let cached: Promise<Category[]> | null = null;
const load = () => (cached ??= api.categories().catch((e) => { cached = null; throw e; }));

export interface CategoryGroup { id: string; name: string; categories: Category[] }

export function useCategories(): { categories: Category[] | null; groups: CategoryGroup[]; error: ApiError | null; retry(): void } {
  const { i18n } = useTranslation();
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    load().then((c) => { if (!cancelled) { setCategories(c); setError(null); } }, (e) => { if (!cancelled) setError(toApiError(e)); });
    return () => { cancelled = true; };
  }, [attempt]);
  const lng = i18n.language;
  // In the order of the file: the top levels as the classification lists them, the categories as the room uses them.
  const groups = useMemo(() => {
    const out = new Map<string, CategoryGroup>();
    for (const c of categories ?? []) {
      let g = out.get(c.topLevel.id);
      if (!g) out.set(c.topLevel.id, (g = { id: c.topLevel.id, name: nameIn(c.topLevel, lng), categories: [] }));
      g.categories.push(c);
    }
    return [...out.values()];
  }, [categories, lng]);
  return { categories, groups, error, retry: () => setAttempt((n) => n + 1) };
}
