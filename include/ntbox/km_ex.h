#ifndef NTBOX_KM_EX_H
#define NTBOX_KM_EX_H

#endif
