#pragma once
// The row of filters above the results: the common label fields of styles.csv, the catalog's
// subfolders, and words of the product name. Each change emits the whole filter; the window
// searches again under it (ResultFilter is a mask, so the top results stay the best allowed).

#include "EmbeddingStore.h"
#include "ResultFilter.h"
#include "StyleLabels.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLineEdit;
class QTimer;
class QToolButton;

namespace lookbook {

class FilterBar : public QWidget {
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);

    // Fills the lists from the catalog; keeps the choices that still exist. labels may be null.
    void setCatalog(const EmbeddingStore *store, const StyleLabels *labels);
    ResultFilter filter() const;
    // Selects value in the list of field ("articleType", ..., or ResultFilter::folderField());
    // false when the list has no such value.
    bool select(const QString &field, const QString &value);
    void setText(const QString &words);
    void clear();

signals:
    void filterChanged(const lookbook::ResultFilter &filter);

private:
    struct Choice {
        QString field;
        QComboBox *box;
    };
    std::vector<Choice> m_choices;
    QLineEdit *m_text;
    QTimer *m_typing; // the name filter applies when typing pauses
    QToolButton *m_clear;
    bool m_quiet = false; // while lists are refilled
    void changed();
};

} // namespace lookbook
