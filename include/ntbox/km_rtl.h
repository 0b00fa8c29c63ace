#ifndef NTBOX_KM_RTL_H
#define NTBOX_KM_RTL_H

#endif
