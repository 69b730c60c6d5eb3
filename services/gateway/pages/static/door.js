// The door page, live (the one script of the pages; the page works without it by form posts and
// a reload). It reads the event's activity stream with fetch, so the staff session's cookie
// carries, and on each item asks the server for this page again and swaps in what changed: the
// counts, the note of a refused action, the rows. No text or rule of its own: what a row says
// is what the server draws. The buttons post with fetch too, keeping the stream and the focus.
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door || !window.fetch || !window.TextDecoder || !window.DOMParser || !window.URLSearchParams) return;
  var feed = door.getAttribute("data-activity");
  var live = document.getElementById("door-live");
  var lastEventId = null;
  var retryMs = 3000;
  var refreshing = null;
  var refreshAgain = false;

  // --- swapping in the page as the server draws it now ----------------------------------------

  function focusedRowId() {
    var active = document.activeElement;
    var row = active && active.closest && active.closest("#door-list > li, #walk-ins");
    return row ? row.id : null;
  }

  function refocus(rowId) {
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;  // still where it was
    var row = rowId && document.getElementById(rowId);
    var button = row && row.querySelector("button");
    if (button) button.focus();
  }

  function swap(id, fresh) {
    var old = document.getElementById(id);
    var replacement = fresh.getElementById(id);
    if (old && replacement && old.innerHTML !== replacement.innerHTML) old.replaceWith(document.importNode(replacement, true));
  }

  function swapRows(fresh) {
    var list = document.getElementById("door-list");
    var freshList = fresh.getElementById("door-list");
    if (!list || !freshList) return;
    var ids = function (ul) { return Array.prototype.map.call(ul.children, function (li) { return li.id; }).join(" "); };
    if (ids(list) !== ids(freshList)) {  // someone new, or gone: the whole list
      swap("door-list", fresh);
      return;
    }
    Array.prototype.forEach.call(freshList.children, function (row) { swap(row.id, fresh); });
  }

  function apply(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    if (!fresh.getElementById("door")) return false;  // not the door page (signed out?): leave it be
    var rowId = focusedRowId();
    ["door-counts-values", "door-problem", "door-found"].forEach(function (id) { swap(id, fresh); });
    swapRows(fresh);
    refocus(rowId);
    return true;
  }

  function refresh() {
    if (refreshing) {  // one at a time; a burst of items costs one more, not one each
      refreshAgain = true;
      return;
    }
    refreshing = fetch(location.pathname + location.search, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(apply)
      .catch(function () {})
      .then(function () {
        refreshing = null;
        if (refreshAgain) {
          refreshAgain = false;
          refresh();
        }
      });
  }

  // --- what changed, said aloud -----------------------------------------------------------------

  var SAID = {
    attendance_marked: function (item) { return item.attended ? "checked-in" : "undone"; },
    registration_confirmed: function () { return "confirmed"; },
    registration_waitlisted: function () { return "waitlisted"; },
    registration_promoted: function () { return "promoted"; },
    registration_cancelled: function () { return "cancelled"; },
    walk_ins_recorded: function () { return "walk-ins"; }
  };

  function say(type, item) {
    var which = SAID[type] && SAID[type](item);
    var text = which && live.getAttribute("data-" + which);
    if (!text) return;
    live.textContent = text.replace("{name}", item.name || "").replace("{total}", String(item.total));
  }

  // --- the activity stream --------------------------------------------------------------------

  function handle(block) {
    var id = null, type = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.charAt(0) === ":") return;
      var colon = line.indexOf(":");
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") type = value;
      else if (field === "data") data += value;
      else if (field === "retry" && /^\d+$/.test(value)) retryMs = parseInt(value, 10);
    });
    if (!data) return;
    if (id) lastEventId = id;
    var item;
    try { item = JSON.parse(data); } catch (e) { return; }
    say(type, item);
    refresh();
  }

  function listen() {
    var headers = {Accept: "text/event-stream"};
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;  // resume: the items missed are sent first
    fetch(feed, {credentials: "same-origin", cache: "no-store", headers: headers})
      .then(function (response) {
        if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("text/event-stream") !== 0) {
          throw new Error("no stream");
        }
        door.setAttribute("data-live", "connected");  // for tests and styles: changes now show here
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        var read = function () {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error("the stream ended");
            buffer += decoder.decode(chunk.value, {stream: true}).replace(/\r\n?/g, "\n");
            var blocks = buffer.split("\n\n");
            buffer = blocks.pop();
            blocks.forEach(handle);
            return read();
          });
        };
        return read();
      })
      .catch(function () {
        door.setAttribute("data-live", "reconnecting");
        setTimeout(function () {
          refresh();  // whatever the kept items no longer hold
          listen();
        }, retryMs);
      });
  }

  // --- the buttons, posted with fetch ---------------------------------------------------------

  door.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("door-action")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button.getAttribute("aria-disabled") === "true") return;  // a double tap posts once
    button.setAttribute("aria-disabled", "true");
    var rowId = (form.closest("#door-list > li, #walk-ins") || {}).id;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {method: "POST", credentials: "same-origin", body: body})
      .then(function (response) { return response.text(); }, function () {
        form.submit();  // no answer at all: the plain post, as without this script
        return null;
      })
      .then(function (html) {
        if (html === null) return;
        if (!apply(html)) {
          location.reload();  // signed out, or a stale form: the page says what (never a second post)
          return;
        }
        refocus(rowId);
        var same = rowId && document.getElementById(rowId);
        var stale = same && same.querySelector("[aria-disabled=true]");
        if (stale) stale.removeAttribute("aria-disabled");  // the row drawn the same: usable again
      });
  });

  listen();
})();
