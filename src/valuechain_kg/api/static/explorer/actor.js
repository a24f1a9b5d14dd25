// One actor: the impacts it is linked to (and how), the leverage it holds, its initiatives and
// relationships, and the NCP specific instances that name it.
import { actorLink, api, el, fillTable, impactLink, showError } from "./common.js";

const view = document.getElementById("view");
const actorId = view.dataset.actor;
const base = `/actors/${encodeURIComponent(actorId)}`;

async function instances(iri) {
  const query = `SELECT ?si ?title ?status WHERE { ?si a vc:SpecificInstance ; vc:enterprise <${iri}> .
    OPTIONAL { ?si schema:name ?title } OPTIONAL { ?si vc:instanceStatus/skos:notation ?status } } ORDER BY ?si`;
  const response = await fetch(`/sparql?query=${encodeURIComponent(query)}`,
    { headers: { Accept: "application/sparql-results+json" } });
  return (await response.json()).results.bindings;
}

async function main() {
  const [actor, impacts, holdings] = await Promise.all(
    [api(base), api(`${base}/impacts`), api(`${base}/leverage`)]);
  document.title = `${actor.name}: valuechain-kg`;
  document.getElementById("name").textContent = actor.name;
  document.getElementById("facts").textContent =
    [actor.roles.join(", "), actor.sectors.join(", "), actor.country].filter(Boolean).join("; ");
  fillTable(document.getElementById("impacts"), impacts.impacts, (row) => [
    impactLink(row.impact), row.involvement, String(row.hops), row.assertion, row.expected_response]);
  fillTable(document.getElementById("holdings"), holdings.holdings, (h) => [
    actorLink(h), h.strength.toFixed(2), h.bases.join(", "), String(h.hops)]);
  const ties = document.getElementById("ties");
  ties.append(...actor.initiatives.map((i) => el("li", {}, `member of ${i.name}`)));
  const end = (id) => (id === actor.id ? actor.name : actorLink({ id }));
  ties.append(...actor.relationships.map((r) => el("li", {}, end(r.from), ` ${r.relation} `, end(r.to),
    r.ownership_share !== null ? ` (owns ${Math.round(r.ownership_share * 100)}%)` : "")));
  const found = await instances(actor.iri);
  const list = document.getElementById("instances");
  list.append(...found.map((b) => el("li", {}, (b.title || b.si).value, b.status ? ` (${b.status.value})` : "")));
  if (!found.length) list.append(el("li", { class: "muted" }, "none recorded"));
  view.dataset.ready = "true";
}

main().catch((error) => showError(view, error));
