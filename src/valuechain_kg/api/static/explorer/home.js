// The home page: impacts most severe first (the API's order), filtered by category (with its
// chapter), status, country and words in titles and actors' names. Filters live in the URL.
import { api, el, fillTable, impactLink, severityText, showError } from "./common.js";

const form = document.getElementById("filters");
const table = document.getElementById("impacts");
const count = document.getElementById("count");
const params = new URLSearchParams(location.search);

// The chapters above each category, read from the ontology in the store.
const CHAPTERS = `SELECT ?slug ?chapter WHERE {
  ?c skos:inScheme vc:ImpactCategories ; skos:notation ?slug ; skos:broader* ?top .
  ?top skos:topConceptOf vc:ImpactCategories ; skos:notation ?chapter . }`;

const COUNTRIES = "SELECT DISTINCT ?c WHERE { ?i a vc:AdverseImpact ; vc:country ?c } ORDER BY ?c";

async function select(query) {
  const response = await fetch(`/sparql?query=${encodeURIComponent(query)}`,
    { headers: { Accept: "application/sparql-results+json" } });
  return (await response.json()).results.bindings;
}

async function chapters() {
  const found = {};
  for (const b of await select(CHAPTERS)) (found[b.slug.value] ||= []).push(b.chapter.value);
  return found;
}

function label(slug, above) {
  const parents = (above[slug] || []).filter((c) => c !== slug);
  return parents.length ? `${slug} (${parents.join(", ")})` : slug;
}

async function main() {
  const [all, above, inCountries] = await Promise.all(
    [api("/impacts?limit=1000"), chapters(), select(COUNTRIES)]);
  const names = {};  // impact id -> names of the actors involved, for the word search
  const categories = Object.keys(above).sort();
  const countries = inCountries.map((b) => b.c.value);
  form.category.append(...categories.map((c) => el("option", { value: c }, label(c, above))));
  form.country.append(...countries.map((c) => el("option", { value: c }, c)));
  for (const name of ["q", "category", "status", "country"]) form[name].value = params.get(name) || "";

  async function show() {
    const query = new URLSearchParams();
    for (const name of ["category", "status", "country"]) {
      if (form[name].value) query.set(name, form[name].value);
    }
    const answer = await api(`/impacts?limit=1000&${query}`);
    const words = form.q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && !Object.keys(names).length) {
      for (const impact of all.impacts) {
        const linked = await api(`/impacts/${encodeURIComponent(impact.id)}/linked-actors?max_hops=0`);
        names[impact.id] = linked.actors.map((a) => a.name).join(" ");
      }
    }
    const shown = answer.impacts.filter((i) => {
      const text = `${i.title} ${names[i.id] || ""}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    if (form.q.value) query.set("q", form.q.value);
    history.replaceState(null, "", query.toString() ? `/?${query}` : "/");
    count.textContent = `${shown.length} of ${all.total} impacts, most severe first`;
    fillTable(table, shown, (i) => [impactLink(i), label(i.category, above), i.status,
      severityText(i.severity)]);
  }
  form.addEventListener("input", () => show().catch((e) => showError(form, e)));
  form.addEventListener("submit", (event) => event.preventDefault());
  await show();
}

main().catch((error) => showError(document.getElementById("view"), error));
