// Small enhancements of the catalogue's forms; every form works without them.
"use strict";

// Type-ahead over the JSON API for authority pickers: typing filters by label, choosing a
// suggestion selects it in the plain select list next to it (which is what is submitted).
function attachPicker(select) {
  const kind = select.dataset.picker;
  const vocabulary = select.dataset.vocabulary;
  const box = document.createElement("div");
  box.className = "picker";
  const input = document.createElement("input");
  input.type = "search";
  input.id = select.id + "-find";
  input.setAttribute("autocomplete", "off");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", select.id + "-suggestions");
  const label = document.createElement("label");
  label.htmlFor = input.id;
  label.className = "visually-hidden";
  const fieldLabel = document.querySelector('label[for="' + select.id + '"]');
  label.textContent = "Find: " + (fieldLabel ? fieldLabel.textContent : kind);
  input.placeholder = document.documentElement.lang === "fr" ? "Rechercher…" : "Find…";
  const list = document.createElement("ul");
  list.id = select.id + "-suggestions";
  list.hidden = true;
  box.append(label, input, list);
  select.before(box);
  let timer = null;

  function choose(id, text) {
    let option = Array.from(select.options).find((o) => o.value === id);
    if (!option) {
      option = new Option(text, id);
      select.add(option);
    }
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    input.value = select.multiple ? "" : text;
    close();
    select.focus();
  }
  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
  }
  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2) { close(); return; }
    const params = new URLSearchParams({ q: q, per_page: "10", lang: document.documentElement.lang });
    if (vocabulary) params.set("vocabulary", vocabulary);
    const response = await fetch("/api/v1/" + kind + "?" + params, { headers: { Accept: "application/json" } });
    if (!response.ok) { close(); return; }
    const data = await response.json();
    const lang = document.documentElement.lang;
    list.replaceChildren(...data.items.map((item) => {
      const text = item.label[lang] || Object.values(item.label)[0] || item.id;
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () => choose(item.id, text));
      li.append(button);
      return li;
    }));
    list.hidden = data.items.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 200); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); list.querySelector("button").focus(); }
    if (event.key === "Enter" && !list.hidden) { event.preventDefault(); list.querySelector("button").click(); }
  });
  list.addEventListener("keydown", (event) => {
    const item = document.activeElement.closest("li");
    if (event.key === "ArrowDown" && item.nextElementSibling) { event.preventDefault(); item.nextElementSibling.querySelector("button").focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (item.previousElementSibling ? item.previousElementSibling.querySelector("button") : input).focus(); }
    if (event.key === "Escape") { close(); input.focus(); }
  });
}

// The date range an EDTF date allows, shown while typing.
function attachEdtf(input) {
  const out = document.getElementById("edtf-range");
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const value = input.value.trim();
      if (!value) { out.textContent = ""; return; }
      const response = await fetch(input.dataset.edtf + "?value=" + encodeURIComponent(value));
      const data = await response.json();
      out.textContent = data.error ? data.error : "↦ " + (data.earliest || "…") + " – " + (data.latest || "…");
    }, 250);
  });
}

// Uploads: one request per file so each gets its own progress bar; the page reloads when
// all are done, showing the server's messages. Without this the form posts every file at once.
function attachUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const list = form.querySelector(".upload-progress");
  form.addEventListener("submit", (event) => {
    if (!input.files.length || !window.XMLHttpRequest) return;
    event.preventDefault();
    const token = form.querySelector('input[name="csrf_token"]').value;
    let left = input.files.length;
    Array.from(input.files).forEach((file) => {
      const item = document.createElement("li");
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      item.append(file.name + " ", bar);
      list.append(item);
      const body = new FormData();
      body.append("csrf_token", token);
      body.append("file", file);
      const request = new XMLHttpRequest();
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
      });
      request.addEventListener("loadend", () => {
        bar.value = 100;
        left -= 1;
        if (left === 0) window.location.reload();
      });
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.send(body);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-upload]").forEach(attachUpload);
  document.querySelectorAll("select[data-picker]").forEach(attachPicker);
  document.querySelectorAll("input[data-edtf]").forEach(attachEdtf);
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  });
  const alert = document.querySelector(".conflict, .error-summary");
  if (alert) alert.focus();
});
