#pragma once
// "This, in another colour": the colour swatches under the query picture (two rows). "Any
// colour" (the results' colours follow the query's) and the eleven basic colour families
// (GarmentColour::basicNames()), each a round swatch of a colour people would give that
// name. The swatches are exclusive radio buttons, so Tab reaches them and the arrow keys
// move between them; each has an accessible name ("Results in blue").
//
// It only presents and reports: the window decides when a choice can be made (the
// catalog's garment colours must be known and a query on show) and what a choice does.

#include <QStringList>
#include <QWidget>

class QAbstractButton;
class QButtonGroup;
class QLabel;

namespace lookbook {

class ColourChooser : public QWidget {
    Q_OBJECT
public:
    explicit ColourChooser(QWidget *parent = nullptr);

    // The families in the order the swatches show them: neutrals, then round the hue circle.
    static const QStringList &families();
    // A family's name for the user, lowercase as in "in blue" (translated); any other colour
    // name (a catalog's "Navy Blue") as it is; empty for none.
    static QString displayName(const QString &colour);
    // As a heading or a menu item shows it: "Any colour", "Blue".
    static QString titleName(const QString &colour);

    // Which families can be chosen (those not listed are disabled), and why none can when
    // reason is not empty: then every swatch is disabled and the reason is shown.
    void setAvailability(const QStringList &choices, const QString &reason);
    QString unavailableReason() const { return m_reason; }

    // The colour on show: a family, or empty for "Any colour". Emits nothing.
    void setColour(const QString &colour);
    QString colour() const { return m_colour; }

    // The swatch of a family, or of "Any colour" for an empty name (null when unknown).
    QAbstractButton *swatch(const QString &colour) const;
    // What each swatch says on hover: the choice and what later queries do with it.
    static QString tooltipFor(const QString &colour);

signals:
    // The user chose a colour (empty: any colour); not emitted by setColour.
    void colourChosen(const QString &colour);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateTexts();
    void updateColours(); // the secondary text, from the palette

    QButtonGroup *m_group;
    QLabel *m_value; // the choice on show, beside the heading
    QLabel *m_note;  // why nothing can be chosen, when so
    QString m_colour;
    QString m_reason;
};

} // namespace lookbook
