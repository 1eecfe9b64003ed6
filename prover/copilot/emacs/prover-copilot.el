;;; prover-copilot.el --- Checked Coq tactic suggestions and proofs from `prover serve' -*- lexical-binding: t -*-

;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, tools

;;; Commentary:

;; A copilot for Coq proofs in Proof General.  It talks to `prover serve' over HTTP:
;;
;;   M-x prover-suggest  sends the buffer up to point; the server runs the model's next
;;                       tactics on the goal at point in a real coqtop and answers only
;;                       the ones Coq accepted, with the goals each leaves.  Pick one
;;                       and it is inserted at point.
;;   M-x prover-prove    fills the `admit.' at or after point (or completes the proof
;;                       at point) with a proof the server found and re-checked with
;;                       coqc; an `Admitted.' that no longer hides anything becomes `Qed.'.
;;
;; Set-up:
;;   (add-to-list 'load-path (file-name-directory "<output of: prover copilot-path emacs>"))
;;   (require 'prover-copilot)
;;   (setq prover-copilot-url "http://127.0.0.1:8000")   ; where `prover serve' listens
;;
;; A server that is down or slow gives a message; Emacs never hangs on it (every request
;; has a timeout, `prover-copilot-timeout').

;;; Code:

(require 'json)
(require 'url)
(require 'url-http)
(require 'subr-x)

(defgroup prover-copilot nil
  "Checked tactic suggestions and proofs from `prover serve'."
  :group 'tools)

(defcustom prover-copilot-url (or (getenv "PROVER_URL") "http://127.0.0.1:8000")
  "Base URL of `prover serve'."
  :type 'string)

(defcustom prover-copilot-token (getenv "PROVER_TOKEN")
  "Bearer token the server wants (needed when it listens beyond loopback), or nil."
  :type '(choice (const nil) string))

(defcustom prover-copilot-timeout 60
  "Seconds to wait for a suggestion before giving up."
  :type 'number)

(defcustom prover-copilot-k 8
  "Candidate tactics the model proposes per suggestion request."
  :type 'integer)

(defcustom prover-copilot-method "search"
  "Proving method for `prover-prove': \"search\" (model + automation) or \"portfolio\"."
  :type 'string)

(define-obsolete-variable-alias
  'prover-copilot-prove-budget 'prover-copilot-prove-seconds "0.2")

(defcustom prover-copilot-prove-seconds 60
  "Seconds the server may search for a proof."
  :type 'number)

(defcustom prover-copilot-select-function #'prover-copilot--completing-read
  "Function choosing among suggestions: called with a list of (LABEL . TACTIC)."
  :type 'function)

(defconst prover-copilot--end-re "^[ \t]*\\(Qed\\|Defined\\|Admitted\\|Abort\\)\\."
  "A sentence that ends a proof.")

(defun prover-copilot--request (route body timeout)
  "POST BODY (an alist) as JSON to ROUTE; the answer as an alist, or a `user-error'."
  (let* ((url (concat (string-remove-suffix "/" prover-copilot-url) route))
         (url-request-method "POST")
         (url-request-extra-headers
          (append '(("Content-Type" . "application/json"))
                  (when prover-copilot-token
                    `(("Authorization" . ,(concat "Bearer " prover-copilot-token))))))
         (url-request-data (encode-coding-string (json-encode body) 'utf-8))
         (buffer (condition-case err
                     (url-retrieve-synchronously url t t timeout)
                   (error (user-error "prover: server %s is down (%s)"
                                      prover-copilot-url (error-message-string err))))))
    (unless buffer
      (user-error "prover: no answer from %s within %s s" prover-copilot-url timeout))
    (unwind-protect
        (with-current-buffer buffer
          (let ((status (bound-and-true-p url-http-response-status)))
            (goto-char (point-min))
            (unless (and (boundp 'url-http-end-of-headers) url-http-end-of-headers)
              (user-error "prover: server %s is down (no HTTP answer)" prover-copilot-url))
            (goto-char url-http-end-of-headers)
            (let* ((json-object-type 'alist) (json-array-type 'list) (json-key-type 'symbol)
                   (answer (condition-case nil
                               (json-read-from-string
                                (decode-coding-string
                                 (buffer-substring-no-properties (point) (point-max)) 'utf-8))
                             (error nil))))
              (cond ((null answer)
                     (user-error "prover: the server's answer (HTTP %s) is not JSON" status))
                    ((not (eql status 200))
                     (user-error "prover: %s" (prover-copilot--error-text answer)))
                    (t answer)))))
      (kill-buffer buffer))))

(defun prover-copilot--error-text (answer)
  "One line for the `error' of ANSWER, with its line:col when the server gave one."
  (let* ((err (alist-get 'error answer))
         (line (alist-get 'line err))
         (col (alist-get 'col err)))
    (if line
        (format "line %s, column %s: %s" line col (alist-get 'message err))
      (format "%s" (or (alist-get 'message err) err)))))

(defun prover-copilot--label (suggestion)
  "A one-line description of SUGGESTION: its tactic and what it leaves."
  (let ((status (alist-get 'status suggestion))
        (goals (alist-get 'goals suggestion)))
    (format "%-40s  %s" (alist-get 'tactic suggestion)
            (if (equal status "open")
                (format "%d goal(s): %s" (length goals)
                        (car (last (split-string (or (car goals) "") "\n" t))))
              status))))

(defun prover-copilot--completing-read (choices)
  "Ask for one of CHOICES, a list of (LABEL . TACTIC), best first."
  (let ((completion-ignore-case t))
    (cdr (assoc (completing-read "Checked tactic: " (mapcar #'car choices) nil t
                                 nil nil (caar choices))
                choices))))

;;;###autoload
(defun prover-suggest ()
  "Show the tactics Coq accepted for the goal at point; insert the chosen one."
  (interactive)
  (let* ((answer (prover-copilot--request
                  "/suggest"
                  `((system . "coq")
                    (text . ,(buffer-substring-no-properties (point-min) (point)))
                    (k . ,prover-copilot-k)
                    (timeout . ,prover-copilot-timeout))
                  (+ prover-copilot-timeout 5)))
         (suggestions (alist-get 'suggestions answer)))
    (cond ((eq (alist-get 'ok answer) :json-false)
           (user-error "prover: the file does not check here: %s"
                       (prover-copilot--error-text answer)))
          ((null suggestions)
           (message "prover: no suggestion was accepted by Coq") nil)
          (t
           (let ((tactic (funcall prover-copilot-select-function
                                  (mapcar (lambda (s) (cons (prover-copilot--label s)
                                                            (alist-get 'tactic s)))
                                          suggestions))))
             (when tactic
               (unless (or (bolp) (memq (char-before) '(?\s ?\t))) (insert " "))
               (insert tactic)
               (message "prover: inserted %s" tactic)
               tactic))))))

(defun prover-copilot--proof-end ()
  "Start and end of the sentence ending the proof after point, or nil."
  (save-excursion
    (when (re-search-forward prover-copilot--end-re nil t)
      (cons (match-beginning 1) (match-end 0)))))

;;;###autoload
(defun prover-prove ()
  "Replace the `admit.' at or after point (or complete the proof at point) with a checked proof."
  (interactive)
  (let* ((end (or (prover-copilot--proof-end)
                  (user-error "prover: no Qed/Admitted after point: is point inside a proof?")))
         (hole (save-excursion
                 (goto-char (max (point-min) (- (point) 6)))
                 (when (re-search-forward "\\_<admit\\." (car end) t)
                   (cons (match-beginning 0) (match-end 0)))))
         (from (if hole (car hole) (point)))
         (to (if hole (cdr hole) (point)))
         (seconds prover-copilot-prove-seconds)
         (answer (prover-copilot--request
                  "/prove"
                  `((system . "coq")
                    (text . ,(buffer-substring-no-properties (point-min) from))
                    (rest . ,(buffer-substring-no-properties to (cdr end)))
                    (method . ,prover-copilot-method)
                    (seconds . ,seconds)
                    (timeout . ,(+ seconds 30)))
                  (+ seconds 40))))
    (cond ((eq (alist-get 'ok answer) :json-false)
           (user-error "prover: the file does not check here: %s"
                       (prover-copilot--error-text answer)))
          ((not (equal (alist-get 'status answer) "proved"))
           (message "prover: no proof found (%s)" (alist-get 'reason answer)) nil)
          (t
           (let ((proof (string-trim (alist-get 'proof answer)))
                 (terminator (copy-marker (car end))))
             (delete-region from to)
             (goto-char from)
             (insert proof)
             (let ((done (point)))
               (when (and (eq (alist-get 'whole_checked answer) t)
                          (save-excursion
                            (goto-char terminator)
                            (looking-at "Admitted\\.")))
                 (goto-char terminator)
                 (replace-match "Qed.")
                 (goto-char done)))
             (message "prover: proof inserted%s"
                      (if (eq (alist-get 'whole_checked answer) t)
                          " (the whole theorem re-checked by coqc)"
                        " (goal closed in coqtop; other admits remain)"))
             proof)))))

(provide 'prover-copilot)
;;; prover-copilot.el ends here
