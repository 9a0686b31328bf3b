#include "FilterBar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QToolButton>

namespace lookbook {

namespace {
constexpr int kTypingPauseMs = 300;
constexpr int kTextWidth = 140;
constexpr int kComboCharacters = 9;
} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent), m_text(new QLineEdit(this)), m_typing(new QTimer(this)), m_clear(new QToolButton(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 4, 12, 4);
    layout->setSpacing(6);
    auto *title = new QLabel(tr("Only:"), this);
    layout->addWidget(title);
    const QStringList titles{tr("Any type"), tr("Any category"), tr("Any colour"), tr("Any gender")};
    QStringList fields = ResultFilter::commonFields();
    fields << ResultFilter::folderField();
    for (int i = 0; i < fields.size(); ++i) {
        auto *box = new QComboBox(this);
        box->setObjectName(QStringLiteral("filter-%1").arg(fields[i]));
        box->setAccessibleName(tr("Filter by %1").arg(fields[i]));
        // Long values ("Topwear", "Accessories", folder paths) must not widen the window.
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(kComboCharacters);
        box->addItem(i < titles.size() ? titles[i] : tr("Any folder"));
        connect(box, &QComboBox::currentIndexChanged, this, &FilterBar::changed);
        layout->addWidget(box);
        m_choices.push_back({fields[i], box});
    }
    m_text->setObjectName(QStringLiteral("filter-text"));
    m_text->setPlaceholderText(tr("Name contains…"));
    m_text->setClearButtonEnabled(true);
    m_text->setFixedWidth(kTextWidth);
    m_text->setAccessibleName(tr("Filter by product name"));
    layout->addWidget(m_text);
    m_typing->setSingleShot(true);
    m_typing->setInterval(kTypingPauseMs);
    connect(m_text, &QLineEdit::textChanged, m_typing, qOverload<>(&QTimer::start));
    connect(m_typing, &QTimer::timeout, this, &FilterBar::changed);
    m_clear->setText(tr("Clear"));
    m_clear->setObjectName(QStringLiteral("filter-clear"));
    connect(m_clear, &QToolButton::clicked, this, &FilterBar::clear);
    layout->addWidget(m_clear);
    layout->addStretch(1);
    m_clear->setEnabled(false);
    // The window may be narrower than the whole row: the row is cut, the window not held wide.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
}

void FilterBar::setCatalog(const EmbeddingStore *store, const StyleLabels *labels)
{
    m_quiet = true;
    for (const Choice &choice : m_choices) {
        const QString current = choice.box->currentIndex() > 0 ? choice.box->currentText() : QString();
        while (choice.box->count() > 1) choice.box->removeItem(1);
        QStringList values;
        if (store && choice.field == ResultFilter::folderField()) values = ResultFilter::foldersOf(*store);
        else if (store && labels) values = ResultFilter::valuesOf(choice.field, *store, *labels);
        choice.box->addItems(values);
        choice.box->setCurrentIndex(std::max(0, int(values.indexOf(current)) + 1));
        // A list with nothing to choose from is hidden, not shown empty.
        choice.box->setVisible(!values.isEmpty() && (choice.field != ResultFilter::folderField() || values.size() > 0));
    }
    m_text->setVisible(labels != nullptr);
    m_quiet = false;
}

ResultFilter FilterBar::filter() const
{
    ResultFilter filter;
    for (const Choice &choice : m_choices) {
        if (choice.box->currentIndex() <= 0) continue;
        if (choice.field == ResultFilter::folderField()) filter.setFolder(choice.box->currentText());
        else filter.allow(choice.field, choice.box->currentText());
    }
    filter.setText(m_text->text());
    return filter;
}

bool FilterBar::select(const QString &field, const QString &value)
{
    for (const Choice &choice : m_choices) {
        if (choice.field != field) continue;
        const int index = choice.box->findText(value);
        if (index < 0) return false;
        choice.box->setCurrentIndex(index);
        return true;
    }
    return false;
}

void FilterBar::setText(const QString &words)
{
    m_text->setText(words);
    m_typing->stop();
    changed();
}

void FilterBar::clear()
{
    m_quiet = true;
    for (const Choice &choice : m_choices) choice.box->setCurrentIndex(0);
    m_text->clear();
    m_typing->stop();
    m_quiet = false;
    changed();
}

void FilterBar::changed()
{
    if (m_quiet) return;
    const ResultFilter current = filter();
    m_clear->setEnabled(!current.isEmpty());
    emit filterChanged(current);
}

} // namespace lookbook
