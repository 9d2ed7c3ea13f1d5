// The public pages' enhancements: the deep-zoom viewer, maps, folded facets on phones.
// Every page works without them: the still image, the coordinates and the links are there.
"use strict";

const loading = {};

// A library from static/vendor/, loaded the first time a page needs it (not with the page).
function load(script, style) {
  if (!loading[script]) {
    const parts = [new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = script;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.append(tag);
    })];
    if (style) {
      parts.push(new Promise((resolve, reject) => {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = style;
        link.onload = resolve;
        link.onerror = reject;
        document.head.append(link);
      }));
    }
    loading[script] = Promise.all(parts);
  }
  return loading[script];
}

// The still image stands until the visitor zooms: then OpenSeadragon opens the IIIF images.
function attachViewer(box) {
  const tiles = JSON.parse(box.dataset.tiles);
  const still = box.querySelector(".viewer-still");
  const controls = document.querySelector(".viewer-controls");
  const caption = document.getElementById("viewer-caption");
  const download = document.getElementById("viewer-download");
  const details = Array.from(document.querySelectorAll(".hidden-data li"));
  let opened = null;

  function open() {
    if (opened) return opened;
    opened = load(box.dataset.script).then(() => new Promise((resolve) => {
      box.classList.add("deep-zoom");
      const viewer = window.OpenSeadragon({
        element: box,
        tileSources: tiles,
        sequenceMode: tiles.length > 1,
        initialPage: Number(box.dataset.index || 0),
        showNavigationControl: false,
        showSequenceControl: false,
        crossOriginPolicy: false,
        gestureSettingsMouse: { scrollToZoom: false },
      });
      viewer.addOnceHandler("open", () => {
        if (still) still.hidden = true;
        box.dataset.ready = "true";
        resolve(viewer);
      });
    }));
    return opened;
  }

  controls.hidden = false;
  const act = (id, action) => document.getElementById(id).addEventListener("click", () => {
    open().then(action);
  });
  const zoom = (factor) => (viewer) => {
    viewer.viewport.zoomBy(factor);
    viewer.viewport.applyConstraints();
  };
  act("viewer-zoom-in", zoom(1.5));
  act("viewer-zoom-out", zoom(1 / 1.5));
  act("viewer-home", (viewer) => viewer.viewport.goHome());
  act("viewer-full", (viewer) => viewer.setFullScreen(!viewer.isFullPage()));
  if (still) still.addEventListener("click", () => open().then(zoom(1.5)));
  document.querySelectorAll(".strip a[data-index]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const index = Number(link.dataset.index);
      const data = details[index];
      // Before the viewer opens, and for an image whose rights differ on download, the
      // link shows the image's own page.
      if (!opened || (data && Boolean(data.dataset.download) !== Boolean(download))) return;
      event.preventDefault();
      opened.then((viewer) => viewer.goToPage(index));
      document.querySelectorAll(".strip a").forEach((a) => a.removeAttribute("aria-current"));
      link.setAttribute("aria-current", "true");
      if (data && caption) caption.textContent = data.dataset.caption;
      if (data && download) download.href = data.dataset.download;
      history.replaceState(null, "", link.href);
    });
  });
}

function startMap(box) {
  if (box.dataset.ready) return;
  load(box.dataset.script, box.dataset.style).then(() => drawMap(box));
}

function drawMap(box) {
  if (!window.L || box.dataset.ready) return;
  const points = JSON.parse(box.dataset.points);
  const map = window.L.map(box, { scrollWheelZoom: false });
  window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  const bounds = [];
  points.forEach((point) => {
    const where = [point.latitude, point.longitude];
    const title = point.count ? point.label + " (" + point.count + ")" : point.label;
    const marker = window.L.marker(where, { title: title, alt: title, keyboard: true }).addTo(map);
    if (point.url) {
      const link = document.createElement("a");
      link.href = point.url;
      link.textContent = title;
      marker.bindPopup(link);
    } else {
      const text = document.createElement("span");
      text.textContent = title;
      marker.bindPopup(text);
    }
    bounds.push(where);
  });
  if (bounds.length === 1) map.setView(bounds[0], 10);
  else map.fitBounds(bounds, { padding: [30, 30], maxZoom: 10 });
  box.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".viewer[data-tiles]").forEach(attachViewer);
  document.querySelectorAll(".map[data-points]").forEach((box) => {
    const folded = box.closest("details");
    if (folded && !folded.open) {
      folded.addEventListener("toggle", () => { if (folded.open) startMap(box); });
    } else {
      startMap(box);
    }
  });
  const facets = document.getElementById("facets");
  if (facets && window.matchMedia("(max-width: 47.99rem)").matches) facets.open = false;
});
