// The incident categories, read once at start from config/incident-categories.json.
import { readConfigJson } from '../config.js';
import { categoriesFileSchema, type Category, type CategoriesFile } from './schema.js';

export class Categories {
  private byId = new Map<string, Category>();
  constructor(file: CategoriesFile) {
    const tops = new Map(file.topLevels.map((t) => [t.id, t]));
    for (const c of file.categories) {
      const t = tops.get(c.topLevel)!;
      this.byId.set(c.id, { id: c.id, nl: c.nl, en: c.en, topLevel: { id: t.id, nl: t.nl, en: t.en }, capCategory: t.capCategory });
    }
  }
  static load(configDir: string): Categories { return new Categories(readConfigJson(configDir, 'incident-categories.json', categoriesFileSchema)); }
  has(id: string) { return this.byId.has(id); }
  /** A category removed from the config after use still shows, under its id. */
  get(id: string): Category {
    return this.byId.get(id) ?? { id, nl: id, en: id, topLevel: { id: 'onbekend', nl: 'Onbekend', en: 'Unknown' }, capCategory: 'Other' };
  }
  all(): Category[] { return [...this.byId.values()]; }
}
