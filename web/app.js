/* global window, document, fetch, console */
/**
 * The demo page: pick who you are, then chat with the bot through the official Web Chat, which
 * talks Direct Line 3.0 (polling) to this server. Each pick starts a new conversation with a token
 * from POST /webchat/session; the server, not the page, decides who the token's user is.
 */
(function () {
  'use strict';

  var picker = document.getElementById('identities');
  var status = document.getElementById('picker-status');
  var chat = document.getElementById('chat');
  var chatTitle = document.getElementById('chat-title');
  var suggestions = document.getElementById('suggestions');
  var host = document.getElementById('webchat');
  var current = null;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function json(response) {
    if (!response.ok) {
      return response.text().then(function (body) {
        throw new Error(response.status + ' ' + body);
      });
    }
    return response.json();
  }

  function showIdentities(answer) {
    status.textContent =
      answer.mode === 'demo'
        ? 'Demo mode: pick the marketer or one of the real customers from the demo data.'
        : 'Chat with the shop as a visitor.';
    answer.identities.forEach(function (identity) {
      var button = element('button', {
        type: 'button',
        'data-identity': identity.key,
        'aria-pressed': 'false',
      });
      button.appendChild(element('span', { class: 'label' }, identity.label));
      button.appendChild(element('span', { class: 'detail' }, identity.detail));
      button.addEventListener('click', function () {
        start(identity, button);
      });
      var item = element('li');
      item.appendChild(button);
      picker.appendChild(item);
    });
  }

  function start(identity, button) {
    Array.prototype.forEach.call(picker.querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', String(b === button));
    });
    fetch('/webchat/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: identity.key }),
    })
      .then(json)
      .then(function (session) {
        render(identity, session);
      })
      .catch(function (error) {
        status.textContent = 'Could not start a chat: ' + error.message;
      });
  }

  function render(identity, session) {
    if (current) current.directLine.end();
    var directLine = window.WebChat.createDirectLine({
      token: session.token,
      domain: window.location.origin + '/v3/directline',
      webSocket: false,
      pollingInterval: 500,
    });
    var store = window.WebChat.createStore();
    current = { directLine: directLine, store: store };

    // A fresh element per conversation: Web Chat keeps its state in the element it renders into.
    host.textContent = '';
    var target = element('div', { 'data-conversation': session.conversationId, style: 'height: 100%' });
    host.appendChild(target);
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: store,
        // No userID here: the token already fixes who the user is, and the server sets `from`.
        username: session.user.name,
        locale: 'en-GB',
        styleOptions: {
          botAvatarInitials: 'R',
          userAvatarInitials: session.role === 'marketer' ? 'M' : 'C',
          // Report cards hold tables: give them room.
          bubbleMaxWidth: 640,
          // The local endpoint takes no file uploads.
          hideUploadButton: true,
        },
      },
      target,
    );

    chatTitle.textContent = 'Chat as ' + identity.label;
    suggestions.textContent = '';
    session.suggestions.forEach(function (text) {
      var button = element('button', { type: 'button', 'data-suggestion': text }, text);
      button.addEventListener('click', function () {
        store.dispatch({ type: 'WEB_CHAT/SEND_MESSAGE', payload: { text: text } });
      });
      suggestions.appendChild(button);
    });
    chat.hidden = false;
  }

  fetch('/webchat/identities')
    .then(json)
    .then(showIdentities)
    .catch(function (error) {
      status.textContent = 'The web chat is not available: ' + error.message;
      console.error(error);
    });
})();
