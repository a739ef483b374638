;;; searchd.el --- Search a searchd index from Emacs -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: matching, tools
;; URL: https://github.com/searchd/searchd

;;; Commentary:

;; Talks to searchd's Unix socket directly (make-network-process :family 'local), one
;; JSON-RPC request per line (see Docs/PROTOCOL.md).  No external program is started.
;;
;;   M-x searchd-search       hits in a compilation buffer: RET or `next-error' jumps to
;;                            the first match of each hit (C-u: only under this directory)
;;   M-x searchd-push-buffer  make the current buffer's unsaved text searchable now
;;   M-x xref-find-references with `searchd-xref-mode' on: hits as xref locations
;;   M-x consult-searchd      live search with consult, when consult is installed

;;; Code:

(require 'cl-lib)
(require 'compile)
(require 'seq)
(require 'subr-x)
(require 'xref)

(defgroup searchd nil
  "Full-text search with a searchd daemon."
  :group 'matching)

(defcustom searchd-socket nil
  "The socket of searchd.
nil means $SEARCHD_SOCKET, else where searchd listens by default."
  :type '(choice (const nil) file))

(defcustom searchd-limit 50
  "Hits per search."
  :type 'integer)

(defcustom searchd-timeout 5
  "Seconds to wait for searchd's answer."
  :type 'number)

(define-error 'searchd-error "searchd")

(defun searchd--socket ()
  "The socket that `search' and searchd use by default.
See SearchProtocol/DefaultPaths.swift."
  (let ((env (getenv "SEARCHD_SOCKET"))
        (run (getenv "XDG_RUNTIME_DIR"))
        (uid (user-uid)))
    (cond (searchd-socket searchd-socket)
          ((and env (not (string-empty-p env))) env)
          ((and run (string-prefix-p "/" run)) (concat run "/searchd.sock"))
          ((let ((dir (format "/run/user/%d" uid)))
             (and (file-directory-p dir)
                  (eql (file-attribute-user-id (file-attributes dir 'integer)) uid)))
           (format "/run/user/%d/searchd.sock" uid))
          (t (let ((tmp (getenv "TMPDIR")))
               (format "%s/searchd-%d/searchd.sock"
                       (if (and tmp (string-prefix-p "/" tmp)) tmp "/tmp") uid))))))

(defun searchd-request (method &optional params)
  "Send METHOD with PARAMS (an alist) to searchd; return the result (an alist).
Signal `searchd-error' with the message of searchd when it answers an error."
  (let* ((socket (searchd--socket))
         (buffer (generate-new-buffer " *searchd-connection*"))
         (process (condition-case nil
                      (make-network-process :name "searchd" :family 'local :service socket
                                            :buffer buffer :coding 'utf-8 :noquery t)
                    (file-error
                     (kill-buffer buffer)
                     (signal 'searchd-error
                             (list (format "searchd is not running (no socket at %s): start it with `searchd'"
                                           socket)))))))
    (unwind-protect
        (progn
          (process-send-string
           process
           (concat (json-serialize `((jsonrpc . "2.0") (id . 1) (method . ,method)
                                     (params . ,(or params #s(hash-table)))))
                   "\n"))
          (let ((deadline (+ (float-time) searchd-timeout)))
            (with-current-buffer buffer
              (while (and (not (progn (goto-char (point-min)) (search-forward "\n" nil t)))
                          (process-live-p process)
                          (< (float-time) deadline))
                (accept-process-output process 0.05))
              (goto-char (point-min))
              (unless (search-forward "\n" nil t)
                (signal 'searchd-error (list (if (process-live-p process)
                                                 "searchd did not answer in time"
                                               "searchd closed the connection"))))
              (let* ((line (buffer-substring (point-min) (1- (point))))
                     (response (json-parse-string line :object-type 'alist :null-object nil
                                                  :false-object nil))
                     (error (alist-get 'error response)))
                (when error (signal 'searchd-error (list (alist-get 'message error))))
                (alist-get 'result response)))))
      (delete-process process)
      (kill-buffer buffer))))

(defun searchd--scope (query directory)
  "QUERY limited to the files under DIRECTORY (nil: everywhere)."
  (let ((dir (and directory (directory-file-name (expand-file-name directory)))))
    (if (and dir (not (equal dir "/")))
        (format "(%s) path:\"%s\"" query dir)
      query)))

(defun searchd-hits (query &optional directory)
  "The hits of QUERY (a vector of alists), under DIRECTORY when given."
  (alist-get 'hits (searchd-request "search" `((query . ,(searchd--scope query directory))
                                              (limit . ,searchd-limit)))))

(defun searchd--file (hit)
  "The file of HIT.
Its path, or the file a pushed buffer outside the sources stands for."
  (or (alist-get 'path hit)
      (let ((id (alist-get 'id hit)))
        (and (string-prefix-p "emacs:" id) (substring id 6)))))

(defun searchd--column (file line byte-column)
  "The character column (from 0) in FILE at LINE of BYTE-COLUMN (from 1).
Hits count columns in bytes, like ripgrep; Emacs counts characters, and in
Chinese text the two differ."
  (condition-case nil
      (with-temp-buffer
        (insert-file-contents file)
        (goto-char (point-min))
        (forward-line (1- line))
        (let* ((text (buffer-substring (point) (line-end-position)))
               (bytes (encode-coding-string text 'utf-8)))
          (length (decode-coding-string (substring bytes 0 (min (length bytes) (1- byte-column))) 'utf-8))))
    (error (1- byte-column))))

(defun searchd--location (hit)
  "(FILE LINE COLUMN) of the first match of HIT, COLUMN in characters from 0.
nil when the hit has no file."
  (when-let ((file (searchd--file hit)))
    (let ((line (or (alist-get 'line hit) 1)))
      (list file line (searchd--column file line (or (alist-get 'column hit) 1))))))

(defun searchd--one-line (text)
  (replace-regexp-in-string "[ \t\n\r]+" " " (or text "")))

;;;; Results buffer

(defvar searchd-results-regexp
  '(searchd "^\\([^:\n]+\\):\\([0-9]+\\):\\([0-9]+\\): " 1 2 3 0)
  "Hit lines: FILE:LINE:COLUMN: title │ snippet (column in characters, from 1).")

(define-compilation-mode searchd-mode "searchd"
  "Results of `searchd-search': RET on a hit jumps to its first match."
  (setq-local compilation-error-regexp-alist (list (car searchd-results-regexp)))
  (setq-local compilation-error-regexp-alist-alist (list searchd-results-regexp))
  (setq-local compilation-first-column 1)
  ;; columns are characters, not screen columns (a Chinese character takes two)
  (setq-local compilation-error-screen-columns nil))

;;;###autoload
(defun searchd-search (query &optional directory)
  "Search searchd for QUERY and list the hits.
Interactively, with a prefix argument, only the hits under DIRECTORY."
  (interactive (list (read-string "searchd: " nil 'searchd-history)
                     (and current-prefix-arg default-directory)))
  (let ((hits (searchd-hits query directory))
        (buffer (get-buffer-create "*searchd*")))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert (format "searchd: %s\n\n" query))
        (seq-doseq (hit hits)
          (pcase (searchd--location hit)
            (`(,file ,line ,column)
             (insert (format "%s:%d:%d: %s │ %s\n" file line (1+ column)
                             (searchd--one-line (alist-get 'title hit))
                             (searchd--one-line (alist-get 'snippet hit)))))))
        (insert (format "\n%d hits\n" (length hits))))
      (searchd-mode)
      (setq-local compilation-search-path (list default-directory)))
    (display-buffer buffer)
    buffer))

;;;; Pushing buffers

;;;###autoload
(defun searchd-push-buffer (&optional buffer)
  "Make the text of BUFFER (default: the current one), saved or not, searchable.
A file under the sources of searchd stands in for that file's document until
the file is saved; another buffer is pushed as id \"emacs:FILE\"."
  (interactive)
  (with-current-buffer (or buffer (current-buffer))
    (let* ((file (or buffer-file-name (error "The buffer visits no file")))
           (text (buffer-substring-no-properties (point-min) (point-max)))
           (title (file-name-nondirectory file))
           (result (condition-case err
                       (searchd-request "add" `((text . ,text) (title . ,title) (fields . ((path . ,file)))))
                     (searchd-error
                      (if (string-match-p "under one of the sources" (cadr err))
                          (searchd-request "add" `((id . ,(concat "emacs:" file)) (text . ,text) (title . ,title)))
                        (signal (car err) (cdr err)))))))
      (when (called-interactively-p 'interactive)
        (message "searchd: pushed %s" (alist-get 'id result)))
      result)))

;;;; xref

(defun searchd-xref-backend ()
  "The searchd xref backend."
  'searchd)

;;;###autoload
(define-minor-mode searchd-xref-mode
  "Use searchd for `xref-find-references' (and definitions) in this buffer."
  :lighter " searchd"
  (if searchd-xref-mode
      (add-hook 'xref-backend-functions #'searchd-xref-backend nil t)
    (remove-hook 'xref-backend-functions #'searchd-xref-backend t)))

(cl-defmethod xref-backend-identifier-at-point ((_backend (eql searchd)))
  (if (use-region-p)
      (buffer-substring-no-properties (region-beginning) (region-end))
    (thing-at-point 'symbol t)))

(defun searchd-xref-items (query)
  "The hits of QUERY as xref items."
  (let (items)
    (seq-doseq (hit (searchd-hits query))
      (pcase (searchd--location hit)
        (`(,file ,line ,column)
         (push (xref-make (format "%s │ %s" (searchd--one-line (alist-get 'title hit))
                                  (searchd--one-line (alist-get 'snippet hit)))
                          (xref-make-file-location file line column))
               items))))
    (nreverse items)))

(cl-defmethod xref-backend-references ((_backend (eql searchd)) identifier)
  (searchd-xref-items identifier))

(cl-defmethod xref-backend-definitions ((_backend (eql searchd)) identifier)
  (searchd-xref-items identifier))

(cl-defmethod xref-backend-apropos ((_backend (eql searchd)) pattern)
  (searchd-xref-items pattern))

;;;; consult

(defun searchd-consult--candidates (query)
  "Candidates for consult matching QUERY: one string per hit.
The location of the hit is in the `searchd-hit' property."
  (when (> (length (string-trim query)) 0)
    (let (candidates)
      (seq-doseq (hit (condition-case nil (searchd-hits query) (searchd-error nil)))
        (when-let ((location (searchd--location hit)))
          (push (propertize (format "%s  %s:%d" (searchd--one-line (alist-get 'title hit))
                                    (file-name-nondirectory (car location)) (cadr location))
                            'searchd-hit location)
                candidates)))
      (nreverse candidates))))

(defun searchd--visit (location)
  "Visit LOCATION, a (FILE LINE COLUMN) list."
  (pcase-let ((`(,file ,line ,column) location))
    (find-file file)
    (goto-char (point-min))
    (forward-line (1- line))
    (forward-char column)))

(declare-function consult--read "consult")
(declare-function consult--dynamic-collection "consult")
(declare-function consult--lookup-member "consult")

(with-eval-after-load 'consult
  (defun consult-searchd (&optional initial)
    "Live search with searchd, from INITIAL input; visit the chosen hit."
    (interactive)
    (let ((choice (consult--read
                   (consult--dynamic-collection #'searchd-consult--candidates)
                   :prompt "searchd: "
                   :initial initial
                   :sort nil
                   :require-match t
                   :lookup #'consult--lookup-member
                   :category 'searchd-hit)))
      (when choice (searchd--visit (get-text-property 0 'searchd-hit choice))))))

(provide 'searchd)
;;; searchd.el ends here
