/* Judge tablet service worker (scope /judge/): pages and their assets, network first.
 *
 * Every judge page and static asset fetched while online is kept in the cache, so a
 * sheet opened once opens again when the venue Wi-Fi is down. Opening an event also
 * caches every sheet of it, opened or not: tablet.js sends the pages' URLs in a
 * "cache-pages" message, and is answered with how many were cached. The API is never
 * cached: marks are queued by tablet.js and replayed, not served stale.
 */
var CACHE = "judge-tablet-v3";
var FETCH_AT_ONCE = 4; // a few at a time: the venue's server is shared by every tablet
var PRECACHE = ["/judge/", "/static/judging/tablet.js", "/static/judging/tablet.css", "/static/css/site.css", "/static/js/site.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PRECACHE.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url, response);
        }).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  var isPage = url.pathname.indexOf("/judge/") === 0;
  var isAsset = url.pathname.indexOf("/static/") === 0;
  if (!isPage && !isAsset) return; // the API and everything else go straight to the network
  event.respondWith(
    fetch(request).then(function (response) {
      // A redirect (to the login page) or an error page must not replace a good cached sheet.
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (cached) {
        return cached || caches.match("/judge/") || Response.error();
      });
    })
  );
});

function cachePage(cache, url) {
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    // A redirect (to the login page) or an error page must not replace a good cached sheet.
    if (!response.ok || response.redirected) return 0;
    return cache.put(url, response).then(function () { return 1; });
  }).catch(function () { return 0; });
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type !== "cache-pages" || !Array.isArray(message.urls)) return;
  var port = event.ports[0];
  var urls = message.urls.filter(function (url) { return typeof url === "string" && url.indexOf("/judge/") === 0; });
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    var cached = 0;
    var next = 0;
    function worker() {
      if (next >= urls.length) return Promise.resolve();
      var url = urls[next++];
      return cachePage(cache, url).then(function (n) { cached += n; return worker(); });
    }
    var workers = [];
    for (var i = 0; i < FETCH_AT_ONCE; i++) workers.push(worker());
    return Promise.all(workers).then(function () { if (port) port.postMessage({ cached: cached }); });
  }));
});
