// Helpers shared by the explorer's pages: fetching the REST JSON, building elements, links
// that stay on this server.

/** GET (or POST with a JSON body) a REST document; a problem answer becomes an Error. */
export async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init.headers } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.detail || data.title || `${response.status} for ${path}`);
  return data;
}

/** An element with attributes and children (strings become text, never HTML). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

export const impactHref = (id) => `/explore/impacts/${encodeURIComponent(id)}`;
export const actorHref = (id) => `/explore/actors/${encodeURIComponent(id)}`;
export const impactLink = (impact) => el("a", { href: impactHref(impact.id) }, impact.title);
export const actorLink = (actor) => el("a", { href: actorHref(actor.id) }, actor.name || actor.id);

/** Replace a table's body with one row per item. */
export function fillTable(table, items, row) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...items.map((item) => el("tr", {}, row(item).map((cell) => el("td", {}, cell)))));
}

/** Show a failure where the user is looking, instead of only in the console. */
export function showError(where, error) {
  where.prepend(el("p", { class: "error" }, String(error.message || error)));
}

export const severityText = (s) => (s && s.level ? `${s.level} / 4` : "unknown");
