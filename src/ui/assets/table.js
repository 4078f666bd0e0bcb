/**
 * A table sorted by a click on a column's header (again for the other direction), kept across
 * refreshes. Every cell is written with `textContent`: a label value is text, never markup.
 */

/**
 * @typedef {Record<string, any> & { key: string }} Row
 * @typedef {{ id: string, label: string, numeric?: boolean, format?: (v: any) => string,
 *   title?: string, hint?: (row: Row) => string }} Column
 *   `hint`: a cell's tooltip, from its row (none when empty)
 */

export class SortableTable {
  /**
   * @param {HTMLTableElement} table
   * @param {Column[]} columns
   * @param {{ sortBy: string, descending?: boolean }} sort
   */
  constructor(table, columns, { sortBy, descending = false }) {
    this.table = table;
    this.columns = columns;
    this.sortBy = sortBy;
    this.descending = descending;
    /** @type {Row[]} */
    this.rows = [];
    const head = table.createTHead().insertRow();
    /** @type {Map<string, HTMLTableCellElement>} */
    this.headers = new Map();
    for (const col of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      if (col.numeric) th.className = 'num';
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = col.label;
      if (col.title) button.title = col.title;
      button.addEventListener('click', () => this.sortOn(col.id));
      th.append(button);
      head.append(th);
      this.headers.set(col.id, th);
    }
    this.body = table.tBodies[0] ?? table.createTBody();
    this.markSort();
  }

  /** @param {string} id */
  sortOn(id) {
    if (this.sortBy === id) this.descending = !this.descending;
    else {
      this.sortBy = id;
      this.descending = this.columns.find((c) => c.id === id)?.numeric === true;
    }
    this.markSort();
    this.render();
  }

  markSort() {
    for (const [id, th] of this.headers) {
      if (id === this.sortBy)
        th.setAttribute('aria-sort', this.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    }
  }

  /** @param {Row[]} rows */
  update(rows) {
    this.rows = rows;
    this.render();
  }

  render() {
    const id = this.sortBy;
    const dir = this.descending ? -1 : 1;
    const sorted = [...this.rows].sort((a, b) => {
      const x = a[id];
      const y = b[id];
      // Rows without a value sort last whichever the direction.
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
      return String(x).localeCompare(String(y), 'en') * dir || (a.key < b.key ? -1 : 1);
    });
    const rows = sorted.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.key = row.key;
      for (const col of this.columns) {
        const td = document.createElement('td');
        const v = row[col.id];
        td.dataset.col = col.id;
        if (col.numeric) {
          td.className = 'num';
          if (typeof v === 'number') td.dataset.value = String(v);
        }
        td.textContent = col.format ? col.format(v) : String(v ?? '');
        const hint = col.hint?.(row);
        if (hint) td.title = hint;
        tr.append(td);
      }
      return tr;
    });
    this.body.replaceChildren(...rows);
  }
}
