/** A headline figure: a label, the value, a line under it, and its sparkline. */
import { createSparkline, drawSparkline } from './sparkline.js';

export class Tile {
  /**
   * @param {Element} container
   * @param {{ id: string, label: string, title?: string }} spec
   */
  constructor(container, { id, label, title }) {
    this.element = document.createElement('div');
    this.element.className = 'tile';
    this.element.dataset.figure = id;
    if (title) this.element.title = title;
    const name = document.createElement('div');
    name.className = 'tile-label';
    name.textContent = label;
    this.value = document.createElement('div');
    this.value.className = 'tile-value';
    this.sub = document.createElement('div');
    this.sub.className = 'tile-sub';
    this.spark = createSparkline();
    this.element.append(name, this.value, this.sub, this.spark);
    container.append(this.element);
  }

  /**
   * @param {{ text: string, raw: number | null | undefined, sub?: string, tone?: string,
   *   title?: string, history: (number | null)[], capacity: number }} figure
   */
  update({ text, raw, sub = '', tone = '', title, history, capacity }) {
    this.value.textContent = text;
    if (title !== undefined) this.element.title = title;
    if (typeof raw === 'number' && Number.isFinite(raw)) this.value.dataset.value = String(raw);
    else delete this.value.dataset.value;
    this.sub.textContent = sub;
    this.element.dataset.tone = tone;
    drawSparkline(this.spark, history, capacity);
  }
}
