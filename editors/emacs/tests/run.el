;;; run.el --- Drive searchd.el against a real searchd -*- lexical-binding: t; -*-

;; Run by Tests/EndToEndTests/EditorTests.swift:
;;   emacs --batch -Q -L editors/emacs -l editors/emacs/tests/run.el
;; with $SEARCHD_SOCKET set.  Runs the package's commands and prints what they produced as
;; one JSON object; the Swift test checks it.

(require 'package)
;; -Q skips Debian's site start-up, which makes its elpa-* packages (elpa-consult) known
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'searchd)
(require 'json)
;; the scratch buffer visits a file in seeds/: no lock file (.#scratch-emacs.md) there, which
;; other tests listing seeds/ at that moment would try to read
(setq create-lockfiles nil)

(defun run--buffer-lines ()
  "The hit lines of *searchd*."
  (with-current-buffer "*searchd*"
    `((lines . ,(vconcat (seq-filter (lambda (l) (string-match-p "^/[^:]+:[0-9]+:[0-9]+: " l))
                                     (split-string (buffer-string) "\n")))))))

(defun run--buffer-hits ()
  "The hit lines of *searchd*, and where RET on the first one lands."
  (with-current-buffer "*searchd*"
    (let ((lines (run--buffer-lines)))
      (goto-char (point-min))
      (re-search-forward "^/" nil t)
      (beginning-of-line)
      (compile-goto-error)
      `(,@lines
        (jump . ((file . ,(buffer-file-name (window-buffer (selected-window))))
                 (line . ,(with-current-buffer (window-buffer (selected-window)) (line-number-at-pos)))
                 (text . ,(with-current-buffer (window-buffer (selected-window))
                            (buffer-substring-no-properties (point) (min (point-max) (+ (point) 3)))))))))))

(let (out)
  ;; M-x searchd-search in a compilation buffer; RET jumps
  (searchd-search "钱凯港")
  (push `(search . ,(run--buffer-hits)) out)

  ;; scoped to a directory
  (searchd-search "Boluarte" "/")
  (push `(scoped_root . ,(length (with-current-buffer "*searchd*" (split-string (buffer-string) "\n" t)))) out)
  ;; a new empty directory: the temporary directory itself may hold the repository (a CI clone)
  (let ((elsewhere (make-temp-file "searchd-elsewhere" t)))
    (push `(scoped_elsewhere . ,(length (searchd-hits "Boluarte" elsewhere))) out)
    (delete-directory elsewhere))

  ;; xref
  (let ((item (car (xref-backend-references 'searchd "钱凯港"))))
    (push `(xref . ((file . ,(xref-file-location-file (xref-item-location item)))
                    (line . ,(xref-file-location-line (xref-item-location item)))
                    (column . ,(xref-file-location-column (xref-item-location item)))))
          out))

  ;; pushing an unsaved buffer
  (with-current-buffer (find-file-noselect (getenv "SEARCHD_EMACS_SCRATCH"))
    (insert "Notes\nThe guanaco grazes near Chancay.\n")
    (searchd-push-buffer))
  (searchd-search "guanaco")
  (push `(pushed . ,(run--buffer-lines)) out)

  ;; consult, when it is installed
  (push `(consult . ,(if (require 'consult nil t)
                         `((command . ,(fboundp 'consult-searchd))
                           (candidates . ,(vconcat (mapcar #'substring-no-properties
                                                           (searchd-consult--candidates "Zegarra")))))
                       :null))
        out)

  ;; searchd not running
  (let ((searchd-socket "/nonexistent/searchd.sock"))
    (push `(not_running . ,(condition-case err (progn (searchd-hits "x") "no error")
                             (searchd-error (cadr err))))
          out))

  (princ (json-encode out))
  (terpri))
