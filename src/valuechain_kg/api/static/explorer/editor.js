// The SPARQL editor: YASGUI on /sparql, the ready queries of queries/ as examples, the
// predeclared prefixes known to the editor, and result IRIs that open the explorer's pages.
const config = JSON.parse(document.getElementById("editor-config").textContent);
const Yasgui = window.Yasgui.default || window.Yasgui;
const endpoint = new URL(config.endpoint, location.href).href;  // YASGUI reads it with new URL()

const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: { endpoint, method: "POST" },
  copyEndpointOnNewTab: false,
  persistenceId: null,
  yasqe: { value: config.query },
});

const tab = yasgui.getTab();
const yasqe = tab.getYasqe();
yasqe.setValue(config.query);
window.vckgYasgui = yasgui;

const examples = document.getElementById("examples");
for (const example of config.examples) {
  const option = document.createElement("option");
  option.value = example.name;
  option.textContent = example.name;
  examples.append(option);
}
examples.addEventListener("change", () => {
  const example = config.examples.find((e) => e.name === examples.value);
  if (example) {
    yasqe.setValue(example.query);
    yasqe.query();
  }
});

// IRIs in the results link to the explorer (impacts and actors; anything else is described by
// the endpoint), never away from this server.
function relink(root) {
  for (const link of root.querySelectorAll(".yasr_results a[href^='http']")) {
    if (link.dataset.explorer) continue;
    const iri = link.getAttribute("href");
    if (iri.startsWith(location.origin)) continue;
    link.dataset.explorer = iri;
    link.setAttribute("href", `/explore/resolve?iri=${encodeURIComponent(iri)}`);
    link.removeAttribute("target");
  }
}
const results = document.getElementById("yasgui");
new MutationObserver(() => relink(results)).observe(results, { childList: true, subtree: true });

if (config.run) yasqe.query();
