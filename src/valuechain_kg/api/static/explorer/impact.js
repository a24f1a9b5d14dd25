// One impact: its linked actors as a graph (mode by colour; a chosen actor's path highlighted,
// each step with its relation, products and assertion), the leverage over its causes with the
// coalition for a threshold, and a what-if that POSTs imagined claims (nothing is stored).
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import { actorHref, actorLink, api, el, fillTable, severityText, showError } from "./common.js";

const view = document.getElementById("view");
const impactId = view.dataset.impact;
const base = `/impacts/${encodeURIComponent(impactId)}`;
const COLOURS = { cause: "#c0392b", contribution: "#e67e22", "direct-linkage": "#2471a3" };

function stepText(step) {
  const products = step.products.length ? ` [${step.products.join(", ")}]` : "";
  return `${step.from} -${step.relation}-> ${step.to}${products} (${step.assertion})`;
}

function drawGraph(impact, actors) {
  const elements = [{ data: { id: "impact", label: impact.title, kind: "impact" } }];
  const seen = new Set(["impact"]);
  const names = Object.fromEntries(actors.map((a) => [a.id, a.name]));
  const node = (id) => {
    if (!seen.has(id)) {
      seen.add(id);
      const actor = actors.find((a) => a.id === id);
      elements.push({ data: { id: `a:${id}`, label: names[id] || id, mode: actor ? actor.involvement : "" } });
    }
  };
  for (const actor of actors) {
    node(actor.id);
    if (actor.asserted || actor.involvement !== "direct-linkage") {
      elements.push({ data: { id: `inv:${actor.id}`, source: `a:${actor.id}`, target: "impact",
        label: actor.involvement, mode: actor.involvement } });
    }
    actor.path.forEach((step, index) => {
      node(step.from); node(step.to);
      const id = `step:${step.from}:${step.relation}:${step.to}`;
      if (!seen.has(id)) {
        seen.add(id);
        const products = step.products.length ? ` ${step.products.join(", ")}` : "";
        elements.push({ data: { id, source: `a:${step.from}`, target: `a:${step.to}`,
          label: `${step.relation}${products} (${step.assertion})` } });
      }
    });
  }
  const graph = cytoscape({
    container: document.getElementById("graph"),
    elements,
    layout: { name: "cose", animate: false, randomize: false },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "ellipsis",
        "text-max-width": 120, "background-color": "#999", width: 18, height: 18 } },
      { selector: "node[kind = 'impact']", style: { shape: "diamond", "background-color": "#222", width: 30, height: 30 } },
      ...Object.entries(COLOURS).map(([mode, colour]) => (
        { selector: `node[mode = '${mode}']`, style: { "background-color": colour } })),
      { selector: "edge", style: { width: 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle",
        "line-color": "#bbb", "target-arrow-color": "#bbb", label: "data(label)", "font-size": 7,
        "text-rotation": "autorotate", color: "#555" } },
      { selector: ".highlighted", style: { "line-color": "#f1c40f", "target-arrow-color": "#f1c40f",
        width: 4, "border-width": 3, "border-color": "#f1c40f", "z-index": 10 } },
    ],
  });
  graph.on("tap", "node", (event) => {
    const id = event.target.id();
    if (id.startsWith("a:")) highlight(id.slice(2));
  });
  graph.on("dbltap", "node", (event) => {
    const id = event.target.id();
    if (id.startsWith("a:")) location.href = actorHref(id.slice(2));
  });
  window.vckgGraph = graph;  // for people (and tests) poking at the page from the console
  return graph;
}

let graph;
let linked = [];

function highlight(actorId) {
  const actor = linked.find((a) => a.id === actorId);
  graph.elements().removeClass("highlighted");
  const ids = [`a:${actorId}`, `inv:${actorId}`];
  for (const step of actor ? actor.path : []) {
    ids.push(`a:${step.from}`, `a:${step.to}`, `step:${step.from}:${step.relation}:${step.to}`);
  }
  for (const id of ids) graph.getElementById(id).addClass("highlighted");
  const where = document.getElementById("path");
  where.replaceChildren(
    el("strong", {}, actor ? actor.name : actorId), ": ",
    actor && actor.path.length ? actor.path.map(stepText).join("; ") : `${actor ? actor.involvement : ""}, asserted`,
    actor ? el("span", { class: "muted" }, ` Expected response: ${actor.expected_response}`) : "",
  );
  where.dataset.actor = actorId;
}

function holderRows(holders) {
  return holders.map((h) => el("tr", {}, el("td", {}, actorLink(h)), el("td", {}, h.strength.toFixed(2)),
    el("td", {}, h.bases.join(", ")), el("td", {}, String(h.hops)), el("td", {}, h.involvement || "not linked")));
}

function renderTargets(where, answer) {
  where.replaceChildren();
  if (answer.note) where.append(el("p", { class: "muted" }, answer.note));
  for (const target of answer.targets) {
    const head = el("tr", {}, ["holder", "strength", "bases", "hops", "involvement"].map((h) => el("th", {}, h)));
    const coalition = target.coalition
      ? `Coalition reaching ${target.coalition.threshold}: ${target.coalition.members.join(", ")} (strength ${target.coalition.strength.toFixed(2)})`
      : "No coalition of the holders reaches this threshold.";
    where.append(el("div", { class: "target" },
      el("h3", {}, "Over ", actorLink(target), ` (${target.mode})`),
      el("table", { class: "holders" }, el("thead", {}, head), el("tbody", {}, holderRows(target.holders))),
      target.other_influence.length
        ? el("div", {}, el("h4", {}, "Other influence (States, civil society: not business leverage)"),
          el("table", {}, el("tbody", {}, holderRows(target.other_influence))))
        : "",
      el("h4", {}, "Collectives"),
      el("ul", { class: "collectives" }, target.collective.map((c) =>
        el("li", {}, `${c.name}: ${c.strength.toFixed(2)} (${c.members.join(", ")})`))),
      el("p", { class: "coalition" }, coalition)));
  }
}

async function showLeverage() {
  const threshold = document.getElementById("threshold").value;
  document.getElementById("threshold-value").value = threshold;
  const answer = await api(`${base}/leverage?threshold=${threshold}`);
  renderTargets(document.getElementById("targets"), answer);
  const url = new URL(location.href);
  url.searchParams.set("threshold", threshold);
  history.replaceState(null, "", url);
}

async function whatIf(event) {
  event.preventDefault();
  const form = event.target;
  const threshold = document.getElementById("threshold").value;
  const body = form.kind.value === "membership"
    ? { memberships: [{ actor: form.actor.value, initiative: form.other.value }] }
    : { leverage: [{ holder: form.actor.value, target: form.other.value, strength: Number(form.strength.value) }] };
  const where = document.getElementById("what-if-result");
  try {
    const answer = await api(`${base}/leverage/what-if?threshold=${threshold}`, body);
    where.replaceChildren(el("p", { class: "note" }, "What if (imagined, not stored):"));
    const result = el("div");
    renderTargets(result, answer);
    where.append(result);
  } catch (error) {
    where.replaceChildren(el("p", { class: "error" }, String(error.message)));
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.get("threshold")) document.getElementById("threshold").value = params.get("threshold");
  const answer = await api(`${base}/linked-actors`);
  const impact = answer.impact;
  linked = answer.actors;
  document.title = `${impact.title}: valuechain-kg`;
  document.getElementById("title").textContent = impact.title;
  document.getElementById("facts").textContent =
    `${impact.category}, ${impact.status}, severity ${severityText(impact.severity)}`;
  graph = drawGraph(impact, linked);
  fillTable(document.getElementById("linked"), linked, (a) => {
    const pick = el("button", { type: "button", class: "pick", "data-actor": a.id }, "path");
    pick.addEventListener("click", () => highlight(a.id));
    return [actorLink(a), a.involvement, String(a.hops), a.assertion, pick];
  });
  document.getElementById("actor-ids").append(...linked.map((a) => el("option", { value: a.id }, a.name)));
  const form = document.getElementById("what-if");
  form.kind.addEventListener("change", () => {
    document.getElementById("other-label").textContent = form.kind.value === "membership" ? "Initiative" : "Target";
  });
  form.addEventListener("submit", whatIf);
  document.getElementById("threshold").addEventListener("input", () => showLeverage().catch((e) => showError(view, e)));
  await showLeverage();
  view.dataset.ready = "true";
}

main().catch((error) => showError(view, error));
